#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "libs/common/errors.h"
#include "services/submission/domain/evaluation_directory.h"
#include "services/submission/domain/flow.h"
#include "services/submission/domain/submission_store.h"

// The steps every submission use case shares (answers.h, review.h,
// objections.h, evidence.h, bulk.h): read a submission with its cycle and
// rulebook, decide whether the caller may act on it now (replay, role,
// state, window, etag), and commit the change it makes (store, answer a
// concurrent retry with its first result, view for the caller).

namespace kla::submission {

inline constexpr size_t kMaxNote = 2000;
inline constexpr size_t kMaxReason = 2000;

// A submission as a use case reads it.
struct SubmissionContext {
  registry::v1::Cycle cycle;
  std::shared_ptr<const RulebookIndex> rulebook;
  StoredSubmission stored;
  std::set<std::string> evidence_items;  // items with attached evidence
};

enum class EtagCheck {
  kRequired,  // the request must carry the etag it read
  kOptional,  // an empty etag is compared like any other (saves)
};

// What a change asks before it is made.
struct ChangeRequest {
  std::string request_id;
  std::string fingerprint;  // of what the request asked (Fingerprint())
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  Action action = Action::kEdit;
  EtagCheck etag_check = EtagCheck::kRequired;
  bool check_window = true;
  // The PERMISSION_DENIED message for a role that may not act; empty: one
  // naming the action and the submission's state.
  std::string refusal;
};

// A change being made: the submission as read (and being modified), the
// change to commit, and the time it is made at.
struct PreparedChange {
  SubmissionContext ctx;
  // A retry of the request: its first result; nothing else is set.
  std::optional<v1::Submission> replayed;
  SubmissionChange change;
  absl::Time now;

  v1::Submission& submission() { return ctx.stored.submission; }
  const RulebookIndex& rulebook() const { return *ctx.rulebook; }
};

class SubmissionSteps {
 public:
  SubmissionSteps(SubmissionStore* store, EvaluationDirectory* directory, const Clock* clock)
      : store_(store), directory_(directory), clock_(clock) {}

  SubmissionStore* store() const { return store_; }
  EvaluationDirectory* directory() const { return directory_; }
  absl::Time Now() const { return clock_->Now(); }

  // The submission of a kabupaten/kota (a new draft if it has none yet),
  // with its cycle, rulebook and attached evidence.
  absl::StatusOr<SubmissionContext> Load(const std::string& cycle_id, const std::string& region_code);
  // The cycle and rulebook of a listing; `stored` is filled per row by Row().
  absl::StatusOr<SubmissionContext> LoadCycle(const std::string& cycle_id);
  // `ctx` holding `row`, its evidence filled in.
  absl::Status Row(SubmissionContext* ctx, StoredSubmission row);
  // Loads the submission and checks the caller may take `action` on it
  // now: role, state, and (when `check_window`) the window.
  absl::StatusOr<SubmissionContext> Permitted(const std::string& cycle_id, const std::string& region_code,
                                              Action action, const auth::Principal& caller, const std::string& refusal,
                                              bool check_window = true);
  // Replay, load, role, state, window, etag, in that order.
  absl::StatusOr<PreparedChange> Prepare(const ChangeRequest& request, const auth::Principal& caller);
  // Completes a stage with `answers`: its next revision, kept with the
  // change, and scoring told (StageAnswersChanged) in the same commit.
  absl::Status CompleteStage(PreparedChange& p, v1::StageAnswers answers);
  // Stores `p.change` with the submission as `p` left it and returns it as
  // the caller sees it; a concurrent retry's first result if that won.
  absl::StatusOr<v1::Submission> Commit(PreparedChange& p, const auth::Principal& caller);

  // FAILED_PRECONDITION naming the deadline when `action` is outside its window.
  // `deciding`: a refusal follows (the window is read fresh); false for the
  // "what may I do" view, which takes cached windows.
  absl::Status CheckWindow(const SubmissionContext& ctx, Action action, bool deciding = true);
  // The window of `action` on the submission, read fresh.
  absl::StatusOr<Window> WindowOf(const v1::Submission& s, Action action);
  // Decorates a stored submission for `caller`: etag, progress, allowed.
  v1::Submission View(const SubmissionContext& ctx, const auth::Principal& caller);

 private:
  absl::Status FillEvidence(SubmissionContext* ctx);
  absl::Status Authorize(const SubmissionContext& ctx, Action action, const auth::Principal& caller,
                         const std::string& refusal, bool check_window);
  absl::Status CheckEtag(const StoredSubmission& stored, const std::string& etag, EtagCheck check);
  // A retry of `request_id`: its first result, or INVALID_ARGUMENT if the
  // id was used for something else.
  absl::StatusOr<std::optional<RecordedRequest>> Replay(const std::string& request_id, const std::string& fingerprint);
  v1::Submission Replayed(const RecordedRequest& earlier, SubmissionContext ctx, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> AfterFailedCommit(const absl::Status& status, const std::string& request_id,
                                                   const SubmissionContext& ctx, const auth::Principal& caller);

  SubmissionStore* store_;
  EvaluationDirectory* directory_;
  const Clock* clock_;
};

// --- Helpers the use cases share ---

Position PositionOf(const v1::Submission& s);

absl::Status ValidateKey(const std::string& cycle_id, const std::string& region_code);

std::string Serialize(const google::protobuf::Message& m);

// A stable digest of what a request asked, to refuse a request id reused for
// something else.
std::string FingerprintOf(const std::vector<std::string>& parts);
template <typename... Parts>
std::string Fingerprint(absl::string_view kind, const Parts&... parts) {
  return FingerprintOf({std::string(kind), absl::StrCat(parts)...});
}

v1::AuditEntry Entry(v1::AuditAction action, const std::string& item_id, type::v1::Stage stage,
                     const std::string& actor, absl::Time now, const std::string& request_id);

template <typename M>
OutgoingEvent Event(const std::string& target, M message) {
  return OutgoingEvent{target, std::make_shared<M>(std::move(message))};
}

// Walks a list of items a request names (answers, returns, adjustments):
// each must be an item of the rulebook (and pass `belongs`, when given)
// and appear once; `check` (when given) then looks at the rest of an entry. Violations
// are named `<field>[i].item_id` and by what `check` adds.
template <typename Entry>
void CheckItemList(const RulebookIndex& rb, const std::vector<Entry>& entries, absl::string_view field, Violations* v,
                   const std::function<std::string(const RulebookIndex::Item&)>& belongs,
                   const std::function<void(const Entry&, const RulebookIndex::Item&, const std::string&)>& check,
                   std::set<std::string>* seen = nullptr) {
  std::set<std::string> local;
  if (seen == nullptr) seen = &local;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    const RulebookIndex::Item* item = rb.Find(e.item_id());
    std::string problem = item == nullptr ? absl::StrCat("no item \"", e.item_id(), "\" in rulebook ", rb.version())
                          : belongs       ? belongs(*item)
                                          : "";
    if (!problem.empty()) {
      v->Add(f + ".item_id", problem);
      continue;
    }
    if (!seen->insert(e.item_id()).second) v->Add(f + ".item_id", absl::StrCat("item ", e.item_id(), " listed twice"));
    if (check) check(e, *item, f);
  }
}

// True when `text` is a required free-text reason: not blank, at most
// kMaxReason bytes of UTF-8.
bool IsReason(const std::string& text);

}  // namespace kla::submission
