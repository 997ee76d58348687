#include "services/scoring/domain/audience.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/kernel/region_code.h"

namespace kla::scoring {

using Role = auth::Role;

bool SeesEverything(Role r) { return r == Role::kNationalAdmin || r == Role::kCentralReviewer || r == Role::kService; }

bool PublicOnly(Role r) { return r == Role::kPublic || r == Role::kIntegration; }

bool Reaches(const auth::Principal& who, const std::string& region_code) {
  return !PublicOnly(who.role) && auth::InScope(who, region_code);
}

absl::Status NotAnnounced(const std::string& cycle_id) {
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat("the results of cycle ", cycle_id, " are not announced yet")),
      "RESULTS_NOT_ANNOUNCED", {{"cycle_id", cycle_id}});
}

absl::Status CheckCycleId(const std::string& cycle_id) {
  return cycle_id.empty() ? InvalidField("cycle_id", "required") : absl::OkStatus();
}

absl::Status CheckRegion(const std::string& region_code) { return ValidateRegencyCode("region_code", region_code); }

}  // namespace kla::scoring
