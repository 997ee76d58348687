#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kla/registry/v1/cycle.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/auth/principal.h"

namespace kla::submission {

// The submission state machine as one table: which action is possible in
// which (state, stage), by which roles, and where it leads. Scope (whose
// region) is checked before, by the service's access rules.
// kObject and kResolveObjection are the objection window (masa sanggah):
// they leave the position as it is.
// kExtendReturn moves the deadline of an open return, leaving it returned;
// kMarkNotCompleted closes it for good (the region leaves the evaluation).
enum class Action { kEdit, kSubmit, kReturn, kVerify, kObject, kResolveObjection, kExtendReturn, kMarkNotCompleted };

struct Position {
  v1::SubmissionState state = v1::SUBMISSION_STATE_DRAFT;
  type::v1::Stage stage = type::v1::STAGE_SELF_EVALUATION;
  friend bool operator==(const Position&, const Position&) = default;
};

absl::string_view ActionName(Action action);

// Whether `role` may take `action` at `from` (ignoring windows).
bool RoleMay(auth::Role role, Action action, const Position& from);

// Where `action` leads from `from`; FAILED_PRECONDITION naming the state when
// it is not possible there. `needs_field_verification` decides the stage
// after the central review.
absl::StatusOr<Position> Next(const Position& from, Action action, bool needs_field_verification);

// The cycle phase whose window bounds `action` at `from` (self-evaluation
// for the region's edits and first submission; the stage's own phase for
// verifiers; the objection window for objections, whose decisions are
// bounded only by the final verification they must precede).
// Resubmissions after a return are bounded by the return's deadline instead.
registry::v1::CyclePhase PhaseOf(const Position& from, Action action);

// Human-readable names for messages ("menunggu verifikasi provinsi").
std::string Describe(const Position& p);

}  // namespace kla::submission
