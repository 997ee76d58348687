#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "services/submission/domain/submission_steps.h"

namespace kla::submission {

// Decides whether a region goes to field verification after the central
// review: only where its provincially verified score reaches the rulebook's
// threshold.
using FieldVerificationGate =
    std::function<absl::StatusOr<bool>(const RulebookIndex& rulebook, const v1::StageAnswers& provincial)>;

// The gate from the rulebook's scoring model (libs/score).
FieldVerificationGate ThresholdGate();

struct TransitionCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::vector<v1::ItemReturn> returns;      // Return
  absl::Time deadline;                      // Return, ExtendReturn
  std::vector<v1::Adjustment> adjustments;  // Verify
  std::string reason;                       // ExtendReturn, MarkNotCompleted
};

struct VerifyOutcome {
  v1::Submission submission;
  v1::StageAnswers completed;
};

// A submission's way through the stages (flow.h): the region submits; the
// verifier of a stage returns it for correction (and may move the return's
// deadline or close it as not completed) or verifies it, adjusting answers.
// Each transition is checked, guarded by the etag, audited and announced in
// one commit.
class Review {
 public:
  Review(SubmissionSteps* steps, FieldVerificationGate gate) : steps_(steps), gate_(std::move(gate)) {}

  absl::StatusOr<v1::Submission> Submit(const TransitionCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> Return(const TransitionCommand& cmd, const auth::Principal& caller);
  // A new deadline (cmd.deadline, cmd.reason) on the open return.
  absl::StatusOr<v1::Submission> ExtendReturn(const TransitionCommand& cmd, const auth::Principal& caller);
  // Closes the open return as not completed (cmd.reason): the region leaves
  // the cycle's evaluation; scoring stops ranking it.
  absl::StatusOr<v1::Submission> MarkNotCompleted(const TransitionCommand& cmd, const auth::Principal& caller);
  // The stage's answers as verified come back with the submission.
  absl::StatusOr<VerifyOutcome> Verify(const TransitionCommand& cmd, const auth::Principal& caller);

 private:
  absl::StatusOr<PreparedChange> Prepare(const TransitionCommand& cmd, Action action, const auth::Principal& caller);
  // Moves the submission to where `action` takes it.
  absl::Status Advance(PreparedChange& p, Action action, bool needs_field);
  absl::StatusOr<bool> NeedsField(const PreparedChange& p);
  // The stage answers a verification already made recorded with its request.
  absl::StatusOr<v1::StageAnswers> RecordedCompletion(const std::string& request_id);

  SubmissionSteps* steps_;
  FieldVerificationGate gate_;
};

}  // namespace kla::submission
