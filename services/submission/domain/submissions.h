#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/submission/domain/blob_store.h"
#include "services/submission/domain/evaluation_directory.h"
#include "services/submission/domain/flow.h"
#include "services/submission/domain/submission_store.h"

namespace kla::submission {

// Decides whether a region goes to field verification after the central
// review: only where its provincially verified score reaches the rulebook's
// threshold.
using FieldVerificationGate =
    std::function<absl::StatusOr<bool>(const RulebookIndex& rulebook, const v1::StageAnswers& provincial)>;

// The gate from the rulebook's scoring model (libs/score).
FieldVerificationGate ThresholdGate();

struct SaveCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::vector<v1::Answer> answers;
  std::vector<std::string> clear_item_ids;
};

struct TransitionCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::vector<v1::ItemReturn> returns;      // ReturnSubmission
  absl::Time deadline;                      // ReturnSubmission
  std::vector<v1::Adjustment> adjustments;  // VerifySubmission
  std::string reason;                       // ExtendReturnDeadline, MarkReturnNotCompleted
};

struct ObjectionCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  int indicator = 0;
  std::string reason;
  std::vector<std::string> evidence_ids;
};

struct ResolveCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::string objection_id;
  v1::ObjectionDecision decision = v1::OBJECTION_DECISION_UNSPECIFIED;
  std::string reason;
  std::vector<v1::Adjustment> adjustments;  // on acceptance
};

struct ObjectionOutcome {
  v1::Submission submission;
  v1::Objection objection;
};

struct ImportCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::string csv;
};

struct ImportOutcome {
  v1::Submission submission;
  int imported = 0;
};

struct ExportQuery {
  std::string cycle_id;
  std::string province_code;  // empty: the whole country
  v1::ExportFormat format = v1::EXPORT_FORMAT_UNSPECIFIED;
  std::string start_after_region_code;
};

// Whole lines of an export for some submissions, the last one's region and
// how many so far. Returns false to stop (the reader went away).
using ExportSink = std::function<bool(std::string lines, const std::string& last_region_code, int submissions)>;

struct VerifyOutcome {
  v1::Submission submission;
  v1::StageAnswers completed;
};

struct UploadProgress {
  int64_t received = 0;
  std::optional<v1::Evidence> evidence;  // once complete
};

struct SubmissionOptions {
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

struct SubmissionPage {
  std::vector<v1::Submission> submissions;
  std::string next_page_token;
};

struct AuditPage {
  std::vector<v1::AuditEntry> entries;
  std::string next_page_token;
};

// The self-evaluation and verification use cases. Every change is checked
// against the state machine (flow.h), the cycle's windows and the region's
// extensions on the injected clock, guarded by the etag, recorded in the
// audit trail and, where others need to know, announced through the outbox
// in the same transaction. A request id makes every change safe to retry.
class SubmissionManager {
 public:
  SubmissionManager(SubmissionStore* store, EvaluationDirectory* directory, BlobStore* blobs,
                    FieldVerificationGate gate, const Clock* clock, SubmissionOptions options = {})
      : store_(store), directory_(directory), blobs_(blobs), gate_(std::move(gate)), clock_(clock), options_(options) {}

  absl::StatusOr<v1::Submission> Get(const std::string& cycle_id, const std::string& region_code,
                                     const auth::Principal& caller);
  absl::StatusOr<SubmissionPage> List(const SubmissionFilter& filter, bool full, int page_size,
                                      const std::string& page_token, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> SaveAnswers(const SaveCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> Submit(const TransitionCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> Return(const TransitionCommand& cmd, const auth::Principal& caller);
  // A new deadline (cmd.deadline, cmd.reason) on the open return.
  absl::StatusOr<v1::Submission> ExtendReturn(const TransitionCommand& cmd, const auth::Principal& caller);
  // Closes the open return as not completed (cmd.reason): the region leaves
  // the cycle's evaluation; scoring stops ranking it.
  absl::StatusOr<v1::Submission> MarkNotCompleted(const TransitionCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<VerifyOutcome> Verify(const TransitionCommand& cmd, const auth::Principal& caller);
  // Objections (masa sanggah): filed by the region's operator in the
  // objection window while the submission awaits final verification, one
  // per indicator; decided by a central reviewer before final verification.
  absl::StatusOr<ObjectionOutcome> FileObjection(const ObjectionCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<ObjectionOutcome> ResolveObjection(const ResolveCommand& cmd, const auth::Principal& caller);
  // Bulk (bulk.cc). An import is one SaveAnswers of every line of a CSV,
  // each line checked first and named in the errors. An export reads the
  // cycle page by page and hands whole lines to `sink` as it goes.
  absl::StatusOr<ImportOutcome> ImportAnswers(const ImportCommand& cmd, const auth::Principal& caller);
  absl::Status Export(const ExportQuery& query, const auth::Principal& caller, const ExportSink& sink);
  absl::StatusOr<v1::StageAnswers> StageAnswersOf(const std::string& cycle_id, const std::string& region_code,
                                                  type::v1::Stage stage);
  absl::StatusOr<AuditPage> Audit(const std::string& cycle_id, const std::string& region_code,
                                  const std::string& item_id, int page_size, const std::string& page_token);

  // Evidence (data dukung). An upload starts with its header (checked
  // before any byte is stored), continues with chunks in order, and ends by
  // checking the SHA-256 and storing the file once per content. An upload
  // that stopped resumes from UploadStatus().received.
  absl::StatusOr<UploadProgress> BeginUpload(const v1::UploadHeader& header, const auth::Principal& caller);
  absl::StatusOr<UploadProgress> AppendChunk(const v1::UploadHeader& header, absl::string_view bytes,
                                             const auth::Principal& caller);
  absl::StatusOr<UploadProgress> UploadStatus(const std::string& upload_id, const std::string& region_code);
  // Removes up to `limit` uploads begun longer than the staged-upload
  // lifetime ago and never finished, with their bytes; how many.
  absl::StatusOr<int> ExpireStagedUploads(int limit = 500);
  absl::StatusOr<std::vector<v1::Evidence>> ListEvidence(const std::string& cycle_id, const std::string& region_code,
                                                         const std::string& item_id);
  // The evidence `evidence_id` of that submission; NOT_FOUND otherwise.
  absl::StatusOr<v1::Evidence> GetEvidence(const std::string& cycle_id, const std::string& region_code,
                                           const std::string& evidence_id);
  absl::StatusOr<std::string> ReadEvidence(const v1::Evidence& evidence, int64_t offset, int64_t max);
  absl::StatusOr<v1::Evidence> DetachEvidence(const std::string& request_id, const std::string& cycle_id,
                                              const std::string& region_code, const std::string& evidence_id,
                                              const auth::Principal& caller);

 private:
  struct Context {
    registry::v1::Cycle cycle;
    std::shared_ptr<const RulebookIndex> rulebook;
    StoredSubmission stored;
    std::set<std::string> evidence_items;  // items with attached evidence
  };
  absl::StatusOr<Context> Load(const std::string& cycle_id, const std::string& region_code);
  // Puts the attached evidence on the answers (derived, not stored).
  absl::Status FillEvidence(Context* ctx);
  // FAILED_PRECONDITION naming the deadline when `action` is outside its window.
  // `deciding`: a refusal follows (the window is read fresh); false for the
  // "what may I do" view, which takes cached windows.
  absl::Status CheckWindow(const Context& ctx, const std::string& region_code, Action action, bool deciding = true);
  absl::Status CheckEtag(const StoredSubmission& stored, const std::string& etag, bool required);
  // Decorates a stored submission for `caller`: etag, progress, allowed.
  v1::Submission View(const Context& ctx, const auth::Principal& caller);
  // A retry of `request_id`: its first result, or INVALID_ARGUMENT if the
  // id was used for something else.
  absl::StatusOr<std::optional<RecordedRequest>> Replay(const std::string& request_id, const std::string& fingerprint);
  // Stores `change`, its submission given the etag of the version it makes.
  absl::Status Commit(SubmissionChange& change);
  v1::Submission Replayed(const RecordedRequest& earlier, Context ctx, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> AfterFailedCommit(const absl::Status& status, const std::string& request_id,
                                                   const Context& ctx, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> Transition(const TransitionCommand& cmd, const auth::Principal& caller, Action action,
                                            std::optional<v1::StageAnswers>* completed);

  // The region may edit its submission now (role, state, window), or for
  // objection evidence, object to it.
  absl::StatusOr<Context> Editable(const std::string& cycle_id, const std::string& region_code,
                                   const auth::Principal& caller, Action action = Action::kEdit);
  // The checks every objection change shares: replay, role, state, window
  // (filing only), etag. Empty context with `replayed` set for a retry.
  absl::StatusOr<Context> ObjectionContext(const std::string& request_id, const std::string& fingerprint,
                                           const std::string& cycle_id, const std::string& region_code,
                                           const std::string& etag, Action action, const auth::Principal& caller,
                                           std::optional<v1::Submission>* replayed);
  absl::StatusOr<UploadProgress> FinishUpload(const v1::UploadHeader& header, const auth::Principal& caller);
  // RESOURCE_EXHAUSTED when a new upload of `header` would take the region
  // over its quota or its number of uploads under way.
  absl::Status CheckEvidenceQuota(const v1::UploadHeader& header);

  SubmissionStore* store_;
  EvaluationDirectory* directory_;
  BlobStore* blobs_;
  FieldVerificationGate gate_;
  const Clock* clock_;
  SubmissionOptions options_;
};

// The answers in force: the region's, with the latest adjustment per item
// applied, in rulebook order.
std::vector<v1::Answer> AnswersInForce(const RulebookIndex& rulebook, const v1::Submission& s);

}  // namespace kla::submission
