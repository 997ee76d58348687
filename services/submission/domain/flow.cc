#include "services/submission/domain/flow.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"

namespace kla::submission {
namespace {

using auth::Role;
using type::v1::Stage;

bool Verifies(Role role, Stage stage) {
  switch (stage) {
    case type::v1::STAGE_PROVINCIAL_VERIFICATION:
      return role == Role::kProvinceVerifier;
    case type::v1::STAGE_CENTRAL_REVIEW:
    case type::v1::STAGE_FINAL_VERIFICATION:
      return role == Role::kCentralReviewer || role == Role::kNationalAdmin;
    case type::v1::STAGE_FIELD_VERIFICATION:
      return role == Role::kFieldVerifier;
    default:
      return false;
  }
}

const char* StageName(Stage s) {
  switch (s) {
    case type::v1::STAGE_SELF_EVALUATION:
      return "evaluasi mandiri";
    case type::v1::STAGE_PROVINCIAL_VERIFICATION:
      return "verifikasi provinsi";
    case type::v1::STAGE_CENTRAL_REVIEW:
      return "peninjauan pusat";
    case type::v1::STAGE_FIELD_VERIFICATION:
      return "verifikasi lapangan";
    case type::v1::STAGE_FINAL_VERIFICATION:
      return "verifikasi final";
    default:
      return "-";
  }
}

}  // namespace

absl::string_view ActionName(Action action) {
  switch (action) {
    case Action::kEdit:
      return "edit";
    case Action::kSubmit:
      return "submit";
    case Action::kReturn:
      return "return";
    case Action::kVerify:
      return "verify";
    case Action::kObject:
      return "object to";
    case Action::kResolveObjection:
      return "decide an objection on";
    case Action::kExtendReturn:
      return "extend the return deadline of";
    case Action::kMarkNotCompleted:
      return "mark as not completed";
  }
  return "?";
}

bool RoleMay(Role role, Action action, const Position& from) {
  switch (action) {
    case Action::kEdit:
      return role == Role::kRegionOperator || role == Role::kOpdContributor;
    case Action::kSubmit:
      // Contributors fill in their agency's items; the Gugus Tugas
      // secretariat submits for the region.
      return role == Role::kRegionOperator;
    case Action::kReturn:
    case Action::kVerify:
    case Action::kExtendReturn:  // whoever may return at that stage
    case Action::kMarkNotCompleted:
      return Verifies(role, from.stage);
    case Action::kObject:
      return role == Role::kRegionOperator;
    case Action::kResolveObjection:
      return role == Role::kCentralReviewer || role == Role::kNationalAdmin;
  }
  return false;
}

absl::StatusOr<Position> Next(const Position& from, Action action, bool needs_field_verification) {
  using type::v1::STAGE_CENTRAL_REVIEW;
  using type::v1::STAGE_FIELD_VERIFICATION;
  using type::v1::STAGE_FINAL_VERIFICATION;
  using type::v1::STAGE_PROVINCIAL_VERIFICATION;
  using type::v1::STAGE_SELF_EVALUATION;
  const auto awaiting = v1::SUBMISSION_STATE_AWAITING_VERIFICATION;
  switch (from.state) {
    case v1::SUBMISSION_STATE_DRAFT:
      if (action == Action::kEdit) return from;
      if (action == Action::kSubmit) return Position{awaiting, STAGE_PROVINCIAL_VERIFICATION};
      break;
    case v1::SUBMISSION_STATE_RETURNED:
      if (action == Action::kEdit) return from;
      if (action == Action::kSubmit) return Position{awaiting, from.stage};  // back to the stage that returned it
      if (action == Action::kExtendReturn) return from;
      if (action == Action::kMarkNotCompleted) return Position{v1::SUBMISSION_STATE_NOT_COMPLETED, from.stage};
      // The verifier closes a return the region did not answer: verified as
      // it stands, as if it had been resubmitted unchanged.
      if (action == Action::kVerify)
        return Next(Position{v1::SUBMISSION_STATE_AWAITING_VERIFICATION, from.stage}, action, needs_field_verification);
      break;
    case v1::SUBMISSION_STATE_AWAITING_VERIFICATION:
      // Provisional results are out once the central review (and field
      // verification, where due) are done: objections precede the final one.
      if ((action == Action::kObject || action == Action::kResolveObjection) &&
          from.stage == STAGE_FINAL_VERIFICATION) {
        return from;
      }
      if (action == Action::kReturn) return Position{v1::SUBMISSION_STATE_RETURNED, from.stage};
      if (action == Action::kVerify) {
        switch (from.stage) {
          case STAGE_PROVINCIAL_VERIFICATION:
            return Position{awaiting, STAGE_CENTRAL_REVIEW};
          case STAGE_CENTRAL_REVIEW:
            return Position{awaiting, needs_field_verification ? STAGE_FIELD_VERIFICATION : STAGE_FINAL_VERIFICATION};
          case STAGE_FIELD_VERIFICATION:
            return Position{awaiting, STAGE_FINAL_VERIFICATION};
          case STAGE_FINAL_VERIFICATION:
            return Position{v1::SUBMISSION_STATE_FINAL, STAGE_FINAL_VERIFICATION};
          case STAGE_SELF_EVALUATION:
          default:
            break;
        }
      }
      break;
    default:
      break;
  }
  return WithReason(absl::FailedPreconditionError(
                        absl::StrCat("cannot ", ActionName(action), " a submission that is ", Describe(from))),
                    "INVALID_STATE",
                    {{"state", v1::SubmissionState_Name(from.state)},
                     {"stage", type::v1::Stage_Name(from.stage)},
                     {"action", std::string(ActionName(action))}});
}

registry::v1::CyclePhase PhaseOf(const Position& from, Action action) {
  if (action == Action::kEdit || action == Action::kSubmit) return registry::v1::CYCLE_PHASE_SELF_EVALUATION;
  if (action == Action::kObject) return registry::v1::CYCLE_PHASE_OBJECTION;
  if (action == Action::kResolveObjection) return registry::v1::CYCLE_PHASE_FINAL_VERIFICATION;
  switch (from.stage) {
    case type::v1::STAGE_PROVINCIAL_VERIFICATION:
      return registry::v1::CYCLE_PHASE_PROVINCIAL_VERIFICATION;
    case type::v1::STAGE_CENTRAL_REVIEW:
      return registry::v1::CYCLE_PHASE_CENTRAL_REVIEW;
    case type::v1::STAGE_FIELD_VERIFICATION:
      return registry::v1::CYCLE_PHASE_FIELD_VERIFICATION;
    case type::v1::STAGE_FINAL_VERIFICATION:
      return registry::v1::CYCLE_PHASE_FINAL_VERIFICATION;
    default:
      return registry::v1::CYCLE_PHASE_SELF_EVALUATION;
  }
}

std::string Describe(const Position& p) {
  switch (p.state) {
    case v1::SUBMISSION_STATE_DRAFT:
      return "a draft (evaluasi mandiri)";
    case v1::SUBMISSION_STATE_AWAITING_VERIFICATION:
      return absl::StrCat("awaiting ", StageName(p.stage));
    case v1::SUBMISSION_STATE_RETURNED:
      return absl::StrCat("returned by ", StageName(p.stage));
    case v1::SUBMISSION_STATE_FINAL:
      return "final";
    case v1::SUBMISSION_STATE_NOT_COMPLETED:
      return absl::StrCat("not completed (returned by ", StageName(p.stage), ")");
    default:
      return "in no known state";
  }
}

}  // namespace kla::submission
