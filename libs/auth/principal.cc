#include "libs/auth/principal.h"

#include <array>
#include <utility>

namespace kla::auth {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 9> kNames = {{
    {Role::kPublic, "PUBLIC"},
    {Role::kNationalAdmin, "NATIONAL_ADMIN"},
    {Role::kProvinceVerifier, "PROVINCE_VERIFIER"},
    {Role::kRegionOperator, "REGION_OPERATOR"},
    {Role::kOpdContributor, "OPD_CONTRIBUTOR"},
    {Role::kCentralReviewer, "CENTRAL_REVIEWER"},
    {Role::kFieldVerifier, "FIELD_VERIFIER"},
    {Role::kIntegration, "INTEGRATION"},
    {Role::kService, "SERVICE"},
}};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, n] : kNames) {
    if (r == role) return n;
  }
  return "PUBLIC";
}

bool ParseRole(absl::string_view name, Role* out) {
  for (const auto& [r, n] : kNames) {
    if (n == name) {
      *out = r;
      return true;
    }
  }
  return false;
}

}  // namespace kla::auth
