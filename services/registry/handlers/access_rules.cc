#include "services/registry/handlers/access_rules.h"

#include "absl/strings/str_cat.h"

namespace kla::registry {
namespace {

using auth::Role;

auth::AccessRule Rule(absl::string_view service, absl::string_view method, std::vector<Role> roles,
                      std::string scope = "") {
  return {absl::StrCat("kla.registry.v1.", service, ".", method), std::move(roles), std::move(scope)};
}

}  // namespace

auth::AccessTable RegistryAccessRules() {
  const std::vector<Role> everyone = {Role::kPublic};
  const std::vector<Role> signed_in = auth::AnyAuthenticated();
  const std::vector<Role> admin = {Role::kNationalAdmin};
  const std::vector<Role> admin_service = {Role::kNationalAdmin, Role::kService};
  // People who work on a region's evaluation data (and the services acting
  // for them); regional roles only within their reach.
  const std::vector<Role> regional_readers = {Role::kNationalAdmin,  Role::kProvinceVerifier, Role::kRegionOperator,
                                              Role::kOpdContributor, Role::kCentralReviewer,  Role::kFieldVerifier,
                                              Role::kService};
  // Who keeps a region's task force and training records: its operator,
  // the province's DP3A (which also keeps the province's own), the ministry.
  const std::vector<Role> regional_editors = {Role::kNationalAdmin, Role::kProvinceVerifier, Role::kRegionOperator};

  constexpr absl::string_view kReg = "RegistryService";
  constexpr absl::string_view kAcc = "AccountService";
  return {
      // The official region list is public data.
      Rule(kReg, "GetRegion", everyone),
      Rule(kReg, "ListRegions", everyone),
      Rule(kReg, "SearchRegions", everyone),
      Rule(kReg, "ImportRegions", admin),
      // The instrument is known to everyone evaluated by it.
      Rule(kReg, "ValidateRulebook", signed_in),
      Rule(kReg, "UploadRulebook", admin),
      Rule(kReg, "GetRulebook", signed_in),
      Rule(kReg, "ListRulebooks", signed_in),
      // Cycles: run by the ministry; the schedule (windows, announcement
      // time) is public, as the ministry announces it.
      Rule(kReg, "CreateCycle", admin),
      Rule(kReg, "GetCycle", everyone),
      Rule(kReg, "ListCycles", everyone),
      Rule(kReg, "UpdateCycle", admin),
      Rule(kReg, "AdvanceCycle", admin),
      Rule(kReg, "ListCycleTransitions", signed_in),
      Rule(kReg, "GrantExtension", admin),
      Rule(kReg, "ListExtensions", regional_readers, "region_code"),
      Rule(kReg, "GetRegionWindow", regional_readers, "region_code"),
      // Task forces (Gugus Tugas KLA).
      Rule(kReg, "CreateTaskForce", regional_editors, "task_force.region_code"),
      Rule(kReg, "GetTaskForce", regional_readers, "region_code"),
      Rule(kReg, "UpdateTaskForce", regional_editors, "task_force.region_code"),
      Rule(kReg, "ListTaskForces", regional_readers, "province_code"),
      Rule(kReg, "ListTaskForceRevisions", regional_readers, "region_code"),
      Rule(kReg, "AddTaskForceMeeting", regional_editors, "meeting.region_code"),
      Rule(kReg, "ListTaskForceMeetings", regional_readers, "region_code"),
      // KHA trainings, scoped by the organising region.
      Rule(kReg, "CreateTraining", regional_editors, "training.region_code"),
      Rule(kReg, "GetTraining", regional_readers, "region_code"),
      Rule(kReg, "ListTrainings", regional_readers, "region_code"),
      Rule(kReg, "ImportTrainingParticipants", regional_editors, "region_code"),
      Rule(kReg, "ListTrainingParticipants", regional_readers, "region_code"),
      Rule(kReg, "CountTrainedStaff", regional_readers, "region_code"),
      // Accounts: managed by national admins; sign-in open to all.
      Rule(kAcc, "CreateAccount", admin),
      Rule(kAcc, "GetAccount", admin),
      Rule(kAcc, "ListAccounts", admin),
      Rule(kAcc, "UpdateAccount", admin),
      Rule(kAcc, "ResetCredentials", admin),
      Rule(kAcc, "RevokeTokens", admin),
      Rule(kAcc, "Login", everyone),
      Rule(kAcc, "LoginWithApiKey", everyone),
      Rule(kAcc, "ChangePassword", signed_in),
      Rule(kAcc, "RenewToken", signed_in),
      Rule(kAcc, "ListSigningKeys", everyone),
      Rule(kAcc, "RotateSigningKey", admin),
      Rule(kAcc, "ListRevocations", admin_service),
  };
}

}  // namespace kla::registry
