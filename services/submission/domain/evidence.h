#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "services/submission/domain/blob_store.h"
#include "services/submission/domain/submission_steps.h"

namespace kla::submission {

struct UploadProgress {
  int64_t received = 0;
  std::optional<v1::Evidence> evidence;  // once complete
  // UploadStatus only: the header as announced, and while under way, when
  // the upload expires.
  std::optional<v1::UploadHeader> header;
  absl::Time expire_time = absl::InfiniteFuture();
};

struct EvidenceLimits {
  // Largest evidence file accepted.
  int64_t max_evidence_bytes = 25 << 20;
  // Evidence one kabupaten/kota may hold in a cycle (finished files and
  // uploads under way); beyond it RESOURCE_EXHAUSTED.
  int64_t region_evidence_quota_bytes = int64_t{2} << 30;
  // Uploads one kabupaten/kota may have under way at once.
  int max_open_uploads_per_region = 16;
  // Files one kabupaten/kota may hold in a cycle (so its evidence list stays
  // one answer).
  int max_evidence_files_per_region = 2000;
  // An upload not finished this long after it began is removed, bytes and
  // all (ExpireStagedUploads); the client starts it again.
  absl::Duration staged_upload_lifetime = absl::Hours(72);
};

// Evidence (data dukung). An upload starts with its header (checked before
// any byte is stored), continues with chunks in order, and ends by checking
// the SHA-256 and storing the file once per content. An upload that stopped
// resumes from UploadStatus().received.
class EvidenceFiles {
 public:
  EvidenceFiles(SubmissionSteps* steps, BlobStore* blobs, EvidenceLimits limits)
      : steps_(steps), blobs_(blobs), limits_(limits) {}

  absl::StatusOr<UploadProgress> BeginUpload(const v1::UploadHeader& header, const auth::Principal& caller);
  absl::StatusOr<UploadProgress> AppendChunk(const v1::UploadHeader& header, absl::string_view bytes,
                                             const auth::Principal& caller);
  absl::StatusOr<UploadProgress> UploadStatus(const std::string& upload_id, const std::string& region_code);
  // Removes up to `limit` uploads begun longer than the staged-upload
  // lifetime ago and never finished, with their bytes; how many.
  absl::StatusOr<int> ExpireStagedUploads(int limit = 500);
  absl::StatusOr<std::vector<v1::Evidence>> List(const std::string& cycle_id, const std::string& region_code,
                                                 const std::string& item_id);
  // The evidence `evidence_id` of that submission; NOT_FOUND otherwise.
  absl::StatusOr<v1::Evidence> Get(const std::string& cycle_id, const std::string& region_code,
                                   const std::string& evidence_id);
  absl::StatusOr<std::string> Read(const v1::Evidence& evidence, int64_t offset, int64_t max);
  absl::StatusOr<v1::Evidence> Detach(const std::string& request_id, const std::string& cycle_id,
                                      const std::string& region_code, const std::string& evidence_id,
                                      const auth::Principal& caller);

 private:
  // The region may change its evidence now (role, state, window), or for
  // objection evidence, object.
  absl::StatusOr<SubmissionContext> Editable(const std::string& cycle_id, const std::string& region_code,
                                             const auth::Principal& caller, Action action = Action::kEdit);
  // INVALID_ARGUMENT unless the item takes the header's file.
  absl::Status CheckFile(const v1::UploadHeader& header, const SubmissionContext& ctx);
  // The upload of `header` as recorded: a finished one's progress, or
  // nullopt once recorded (new, or under way).
  absl::StatusOr<std::optional<UploadProgress>> Record(const v1::UploadHeader& header, const auth::Principal& caller);
  absl::StatusOr<UploadProgress> FinishUpload(const v1::UploadHeader& header, const auth::Principal& caller);
  // RESOURCE_EXHAUSTED when a new upload of `header` would take the region
  // over its quota or its number of uploads under way.
  absl::Status CheckEvidenceQuota(const v1::UploadHeader& header);

  SubmissionSteps* steps_;
  BlobStore* blobs_;
  EvidenceLimits limits_;
};

}  // namespace kla::submission
