#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "kla/submission/v1/submission.pb.h"
#include "kla/submission/v1/submission_service.pb.h"
#include "libs/outbox/outgoing_event.h"

namespace kla::submission {

// A submission as stored: everything but the caller-dependent and derived
// fields (allowed, progress, etag).
struct StoredSubmission {
  v1::Submission submission;
  int64_t version = 0;  // 0: never saved
};

using outbox::OutgoingEvent;

// One change of a submission, written atomically: the new state (guarded by
// the version read), its audit entries, a completed stage's answers, the
// events it causes, and the request that did it (so a retry finds it).
struct SubmissionChange {
  // next.version is the version expected in the store; next.submission
  // carries the etag of the version the change makes (kept for retries).
  StoredSubmission next;
  std::vector<v1::AuditEntry> audit;              // sequences are assigned by the store
  std::optional<v1::StageAnswers> stage_answers;  // replaces the stage's, revision and all
  std::vector<OutgoingEvent> events;
  std::string request_id;
  std::string request_fingerprint;  // what the request asked, to refuse a reused id
};

// The result a request produced, kept for retries.
struct RecordedRequest {
  std::string fingerprint;
  v1::Submission submission;  // as it stood after the request
  std::optional<v1::StageAnswers> stage_answers;
};

// An upload in progress or done.
struct UploadRecord {
  // What the upload is stored under: the region code, "-", the client's
  // upload id (UploadKey), so ids are scoped to their kabupaten/kota.
  std::string key;
  v1::UploadHeader header;  // as first announced (offset 0)
  std::string uploaded_by;
  std::string evidence_id;                    // set once complete
  bool failed = false;                        // its SHA-256 did not match: never resumed
  absl::Time created = absl::InfinitePast();  // when first announced (set by the store)
};

struct SubmissionFilter {
  std::string cycle_id;
  std::string province_code;  // empty: all
  v1::SubmissionState state = v1::SUBMISSION_STATE_UNSPECIFIED;
};

class SubmissionStore {
 public:
  virtual ~SubmissionStore() = default;
  virtual absl::StatusOr<std::optional<StoredSubmission>> Get(const std::string& cycle_id,
                                                              const std::string& region_code) = 0;
  // Writes the change. ABORTED when the stored version is not
  // `change.next.version` (someone else changed it first); nothing is then
  // written. ALREADY_EXISTS when the request id was used meanwhile.
  virtual absl::Status Commit(const SubmissionChange& change) = 0;
  virtual absl::StatusOr<std::optional<RecordedRequest>> FindRequest(const std::string& request_id) = 0;
  // By region code after `after`.
  virtual absl::StatusOr<std::vector<StoredSubmission>> List(const SubmissionFilter& filter, const std::string& after,
                                                             int limit) = 0;
  virtual absl::StatusOr<std::optional<v1::StageAnswers>> GetStage(const std::string& cycle_id,
                                                                   const std::string& region_code,
                                                                   type::v1::Stage stage) = 0;
  // Uploads by their key (UploadRecord::key).
  virtual absl::StatusOr<std::optional<UploadRecord>> GetUpload(const std::string& key) = 0;
  // ALREADY_EXISTS when the key is taken.
  virtual absl::Status CreateUpload(const UploadRecord& upload) = 0;
  // Stores the evidence, marks the upload complete and appends `entry` to the
  // submission's audit trail, atomically.
  virtual absl::Status CompleteUpload(const std::string& upload_id, const v1::Evidence& evidence,
                                      const v1::AuditEntry& entry) = 0;
  virtual absl::Status FailUpload(const std::string& upload_id) = 0;
  // A region's uploads still being received (not complete, not failed).
  virtual absl::StatusOr<std::vector<UploadRecord>> OpenUploads(const std::string& region_code) = 0;
  // Up to `limit` uploads never completed (failed ones included) that were
  // announced before `before`, oldest first.
  virtual absl::StatusOr<std::vector<UploadRecord>> StaleUploads(absl::Time before, int limit) = 0;
  // Forgets an upload that never completed (a completed one is kept).
  virtual absl::Status DeleteUpload(const std::string& key) = 0;
  // A submission's evidence (one item's when `item_id` is not empty), by
  // item then upload time.
  virtual absl::StatusOr<std::vector<v1::Evidence>> ListEvidence(const std::string& cycle_id,
                                                                 const std::string& region_code,
                                                                 const std::string& item_id) = 0;
  virtual absl::StatusOr<std::optional<v1::Evidence>> GetEvidence(const std::string& evidence_id) = 0;
  // Marks evidence detached and appends `entry`, atomically.
  virtual absl::Status DetachEvidence(const std::string& evidence_id, const v1::AuditEntry& entry) = 0;
  // Entries with sequence > after_sequence, oldest first; only `item_id`'s
  // when not empty.
  virtual absl::StatusOr<std::vector<v1::AuditEntry>> Audit(const std::string& cycle_id, const std::string& region_code,
                                                            const std::string& item_id, int64_t after_sequence,
                                                            int limit) = 0;
};

}  // namespace kla::submission
