#pragma once

#include <functional>

#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/submission/domain/submission_store.h"

namespace kla::submission {

// SubmissionStore on SQL. A change, its audit entries, stage answers,
// outgoing events (through the service's outbox) and request record are
// written in one transaction.
class SqlSubmissionStore final : public SubmissionStore {
 public:
  // `committed` runs after a transaction that enqueued events (wakes the
  // relay).
  SqlSubmissionStore(storage::Database* db, const outbox::Outbox* outbox, const Clock* clock,
                     std::function<void()> committed)
      : db_(db), outbox_(outbox), clock_(clock), committed_(std::move(committed)) {}

  absl::StatusOr<std::optional<StoredSubmission>> Get(const std::string& cycle_id,
                                                      const std::string& region_code) override;
  absl::Status Commit(const SubmissionChange& change) override;
  absl::StatusOr<std::optional<RecordedRequest>> FindRequest(const std::string& request_id) override;
  absl::StatusOr<std::vector<StoredSubmission>> List(const SubmissionFilter& filter, const std::string& after,
                                                     int limit) override;
  absl::StatusOr<std::optional<v1::StageAnswers>> GetStage(const std::string& cycle_id, const std::string& region_code,
                                                           type::v1::Stage stage) override;
  absl::StatusOr<std::optional<UploadRecord>> GetUpload(const std::string& upload_id) override;
  absl::Status CreateUpload(const UploadRecord& upload) override;
  absl::Status CompleteUpload(const std::string& upload_id, const v1::Evidence& evidence,
                              const v1::AuditEntry& entry) override;
  absl::Status FailUpload(const std::string& upload_id) override;
  absl::StatusOr<std::vector<UploadRecord>> OpenUploads(const std::string& region_code) override;
  absl::StatusOr<std::vector<UploadRecord>> StaleUploads(absl::Time before, int limit) override;
  absl::Status DeleteUpload(const std::string& key) override;
  absl::StatusOr<std::vector<v1::Evidence>> ListEvidence(const std::string& cycle_id, const std::string& region_code,
                                                         const std::string& item_id) override;
  absl::StatusOr<std::optional<v1::Evidence>> GetEvidence(const std::string& evidence_id) override;
  absl::Status DetachEvidence(const std::string& evidence_id, const v1::AuditEntry& entry) override;
  absl::StatusOr<std::vector<v1::AuditEntry>> Audit(const std::string& cycle_id, const std::string& region_code,
                                                    const std::string& item_id, int64_t after_sequence,
                                                    int limit) override;

 private:
  storage::Database* db_;
  const outbox::Outbox* outbox_;
  const Clock* clock_;
  std::function<void()> committed_;
};

}  // namespace kla::submission
