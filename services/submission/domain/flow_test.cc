// The state machine, table-driven over every state, stage, action and role.

#include "services/submission/domain/flow.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace kla::submission {
namespace {

using auth::Role;
using type::v1::Stage;

constexpr v1::SubmissionState kDraft = v1::SUBMISSION_STATE_DRAFT;
constexpr v1::SubmissionState kAwaiting = v1::SUBMISSION_STATE_AWAITING_VERIFICATION;
constexpr v1::SubmissionState kReturned = v1::SUBMISSION_STATE_RETURNED;
constexpr v1::SubmissionState kFinal = v1::SUBMISSION_STATE_FINAL;
constexpr v1::SubmissionState kNotCompleted = v1::SUBMISSION_STATE_NOT_COMPLETED;
constexpr Stage kSelf = type::v1::STAGE_SELF_EVALUATION;
constexpr Stage kProv = type::v1::STAGE_PROVINCIAL_VERIFICATION;
constexpr Stage kCentral = type::v1::STAGE_CENTRAL_REVIEW;
constexpr Stage kField = type::v1::STAGE_FIELD_VERIFICATION;
constexpr Stage kFinalStage = type::v1::STAGE_FINAL_VERIFICATION;

const std::vector<Position>& AllPositions() {
  static const std::vector<Position> kAll = {
      {kDraft, kSelf},          {kAwaiting, kProv},    {kAwaiting, kCentral},  {kAwaiting, kField},
      {kAwaiting, kFinalStage}, {kReturned, kProv},    {kReturned, kCentral},  {kReturned, kField},
      {kReturned, kFinalStage}, {kFinal, kFinalStage}, {kNotCompleted, kProv}, {kNotCompleted, kFinalStage}};
  return kAll;
}

constexpr Action kAllActions[] = {Action::kEdit,         Action::kSubmit,          Action::kReturn,
                                  Action::kVerify,       Action::kObject,          Action::kResolveObjection,
                                  Action::kExtendReturn, Action::kMarkNotCompleted};

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = {Role::kPublic,         Role::kNationalAdmin,  Role::kProvinceVerifier,
                                         Role::kRegionOperator, Role::kOpdContributor, Role::kCentralReviewer,
                                         Role::kFieldVerifier,  Role::kIntegration,    Role::kService};
  return kAll;
}

// The declared expectation: (state, stage, action) -> next position. Absent:
// not possible.
std::map<std::tuple<int, int, Action>, Position> Expected(bool field) {
  return {
      {{kDraft, kSelf, Action::kEdit}, {kDraft, kSelf}},
      {{kDraft, kSelf, Action::kSubmit}, {kAwaiting, kProv}},
      {{kAwaiting, kProv, Action::kReturn}, {kReturned, kProv}},
      {{kAwaiting, kProv, Action::kVerify}, {kAwaiting, kCentral}},
      {{kAwaiting, kCentral, Action::kReturn}, {kReturned, kCentral}},
      {{kAwaiting, kCentral, Action::kVerify}, {kAwaiting, field ? kField : kFinalStage}},
      {{kAwaiting, kField, Action::kReturn}, {kReturned, kField}},
      {{kAwaiting, kField, Action::kVerify}, {kAwaiting, kFinalStage}},
      {{kAwaiting, kFinalStage, Action::kReturn}, {kReturned, kFinalStage}},
      {{kAwaiting, kFinalStage, Action::kVerify}, {kFinal, kFinalStage}},
      {{kAwaiting, kFinalStage, Action::kObject}, {kAwaiting, kFinalStage}},
      {{kAwaiting, kFinalStage, Action::kResolveObjection}, {kAwaiting, kFinalStage}},
      {{kReturned, kProv, Action::kEdit}, {kReturned, kProv}},
      {{kReturned, kProv, Action::kSubmit}, {kAwaiting, kProv}},
      {{kReturned, kCentral, Action::kEdit}, {kReturned, kCentral}},
      {{kReturned, kCentral, Action::kSubmit}, {kAwaiting, kCentral}},
      {{kReturned, kField, Action::kEdit}, {kReturned, kField}},
      {{kReturned, kField, Action::kSubmit}, {kAwaiting, kField}},
      {{kReturned, kFinalStage, Action::kEdit}, {kReturned, kFinalStage}},
      {{kReturned, kFinalStage, Action::kSubmit}, {kAwaiting, kFinalStage}},
      // A return whose deadline moves stays a return; one verified as it
      // stands (the region did not answer) goes on like a verification.
      {{kReturned, kProv, Action::kExtendReturn}, {kReturned, kProv}},
      {{kReturned, kCentral, Action::kExtendReturn}, {kReturned, kCentral}},
      {{kReturned, kField, Action::kExtendReturn}, {kReturned, kField}},
      {{kReturned, kFinalStage, Action::kExtendReturn}, {kReturned, kFinalStage}},
      {{kReturned, kProv, Action::kVerify}, {kAwaiting, kCentral}},
      {{kReturned, kCentral, Action::kVerify}, {kAwaiting, field ? kField : kFinalStage}},
      {{kReturned, kField, Action::kVerify}, {kAwaiting, kFinalStage}},
      {{kReturned, kFinalStage, Action::kVerify}, {kFinal, kFinalStage}},
      // Or the return is closed for good: nothing leads out of it.
      {{kReturned, kProv, Action::kMarkNotCompleted}, {kNotCompleted, kProv}},
      {{kReturned, kCentral, Action::kMarkNotCompleted}, {kNotCompleted, kCentral}},
      {{kReturned, kField, Action::kMarkNotCompleted}, {kNotCompleted, kField}},
      {{kReturned, kFinalStage, Action::kMarkNotCompleted}, {kNotCompleted, kFinalStage}},
  };
}

// Who acts: the region edits (operator and contributors) and submits
// (operator); each stage has its verifiers.
bool ExpectedRole(Role role, Action action, Stage stage) {
  switch (action) {
    case Action::kEdit:
      return role == Role::kRegionOperator || role == Role::kOpdContributor;
    case Action::kSubmit:
    case Action::kObject:
      return role == Role::kRegionOperator;
    case Action::kResolveObjection:
      return role == Role::kCentralReviewer || role == Role::kNationalAdmin;
    default:
      if (stage == kProv) return role == Role::kProvinceVerifier;
      if (stage == kField) return role == Role::kFieldVerifier;
      if (stage == kCentral || stage == kFinalStage) {
        return role == Role::kCentralReviewer || role == Role::kNationalAdmin;
      }
      return false;
  }
}

TEST(FlowTest, EveryStateAndActionLeadsWhereTheTableSays) {
  for (bool field : {false, true}) {
    const auto expected = Expected(field);
    for (const Position& from : AllPositions()) {
      for (Action action : kAllActions) {
        auto got = Next(from, action, field);
        auto it = expected.find({from.state, from.stage, action});
        const std::string where = Describe(from) + " / " + std::string(ActionName(action));
        if (it == expected.end()) {
          EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition) << where;
        } else {
          ASSERT_TRUE(got.ok()) << where << ": " << got.status();
          EXPECT_EQ(*got, it->second) << where;
        }
      }
    }
  }
}

TEST(FlowTest, EveryRoleActsOnlyWhereItsStageIs) {
  for (const Position& from : AllPositions()) {
    for (Action action : kAllActions) {
      for (Role role : AllRoles()) {
        EXPECT_EQ(RoleMay(role, action, from), ExpectedRole(role, action, from.stage))
            << auth::RoleName(role) << " " << ActionName(action) << " at " << Describe(from);
      }
    }
  }
}

TEST(FlowTest, EachActionIsBoundedByItsPhase) {
  EXPECT_EQ(PhaseOf({kDraft, kSelf}, Action::kEdit), registry::v1::CYCLE_PHASE_SELF_EVALUATION);
  EXPECT_EQ(PhaseOf({kAwaiting, kProv}, Action::kVerify), registry::v1::CYCLE_PHASE_PROVINCIAL_VERIFICATION);
  EXPECT_EQ(PhaseOf({kAwaiting, kCentral}, Action::kReturn), registry::v1::CYCLE_PHASE_CENTRAL_REVIEW);
  EXPECT_EQ(PhaseOf({kAwaiting, kField}, Action::kVerify), registry::v1::CYCLE_PHASE_FIELD_VERIFICATION);
  EXPECT_EQ(PhaseOf({kAwaiting, kFinalStage}, Action::kVerify), registry::v1::CYCLE_PHASE_FINAL_VERIFICATION);
  EXPECT_EQ(PhaseOf({kAwaiting, kFinalStage}, Action::kObject), registry::v1::CYCLE_PHASE_OBJECTION);
}

}  // namespace
}  // namespace kla::submission
