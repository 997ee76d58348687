#include "libs/auth/principal.h"

#include <algorithm>
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

bool IsNational(Role role) {
  return role == Role::kNationalAdmin || role == Role::kCentralReviewer || role == Role::kIntegration ||
         role == Role::kService;
}

bool InScope(const Principal& p, absl::string_view code) {
  if (IsNational(p.role)) return true;
  if (code.empty()) return false;
  switch (p.role) {
    case Role::kProvinceVerifier:
      return !p.province_code.empty() && ProvinceOf(code) == p.province_code;
    case Role::kRegionOperator:
    case Role::kOpdContributor:
      return !p.region_code.empty() && code == p.region_code;
    case Role::kFieldVerifier:
      // Never in their own province, even if an assignment says otherwise.
      if (ProvinceOf(code) == p.province_code) return false;
      return std::find(p.assigned_regions.begin(), p.assigned_regions.end(), code) != p.assigned_regions.end();
    default:
      return false;
  }
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
