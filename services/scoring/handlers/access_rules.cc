#include "services/scoring/handlers/access_rules.h"

#include "absl/strings/str_cat.h"

namespace kla::scoring {

auth::AccessTable ScoringAccessRules() {
  using auth::Role;
  auto rule = [](absl::string_view method, std::vector<Role> roles, std::string scope) {
    return auth::AccessRule{absl::StrCat("kla.scoring.v1.ScoringService.", method), std::move(roles), std::move(scope)};
  };
  const std::vector<Role> everyone = {Role::kPublic};
  const std::vector<Role> region_readers = {Role::kNationalAdmin,  Role::kProvinceVerifier, Role::kRegionOperator,
                                            Role::kOpdContributor, Role::kCentralReviewer,  Role::kFieldVerifier,
                                            Role::kService};
  return {
      rule("GetScore", everyone, ""),
      rule("GetNextLevelPath", region_readers, "region_code"),
      rule("DryRunScore", region_readers, "region_code"),
      rule("GetRanking", everyone, ""),
      rule("GetRegionRank", everyone, ""),
      rule("GetPredicateSummary", everyone, ""),
      rule("GetProvila", everyone, ""),
      rule("ListPredicateChanges", everyone, ""),
      rule("GetScoreHistory", everyone, ""),
      rule("ListPublications", everyone, ""),
      rule("PublishResults", {Role::kNationalAdmin}, ""),
      rule("ImportPastResults", {Role::kNationalAdmin}, ""),
      rule("RecomputeCycle", {Role::kNationalAdmin}, ""),
      rule("GetRecomputeJob", {Role::kNationalAdmin}, ""),
  };
}

}  // namespace kla::scoring
