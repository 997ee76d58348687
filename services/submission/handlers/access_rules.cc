#include "services/submission/handlers/access_rules.h"

#include "absl/strings/str_cat.h"

namespace kla::submission {

auth::AccessTable SubmissionAccessRules() {
  using auth::Role;
  auto rule = [](absl::string_view method, std::vector<Role> roles, std::string scope) {
    return auth::AccessRule{absl::StrCat("kla.submission.v1.SubmissionService.", method), std::move(roles),
                            std::move(scope)};
  };
  const std::vector<Role> readers = {Role::kNationalAdmin,  Role::kProvinceVerifier, Role::kRegionOperator,
                                     Role::kOpdContributor, Role::kCentralReviewer,  Role::kFieldVerifier,
                                     Role::kService};
  const std::vector<Role> verifiers = {Role::kNationalAdmin, Role::kProvinceVerifier, Role::kCentralReviewer,
                                       Role::kFieldVerifier};
  return {
      rule("GetSubmission", readers, "region_code"),
      rule("ListSubmissions", {Role::kNationalAdmin, Role::kProvinceVerifier, Role::kCentralReviewer, Role::kService},
           "province_code"),
      rule("SaveAnswers", {Role::kRegionOperator, Role::kOpdContributor}, "region_code"),
      rule("ImportAnswers", {Role::kRegionOperator, Role::kOpdContributor}, "region_code"),
      rule("ExportSubmissions", {Role::kNationalAdmin, Role::kProvinceVerifier, Role::kCentralReviewer, Role::kService},
           "province_code"),
      rule("SubmitSubmission", {Role::kRegionOperator}, "region_code"),
      rule("ReturnSubmission", verifiers, "region_code"),
      rule("ExtendReturnDeadline", verifiers, "region_code"),
      rule("MarkReturnNotCompleted", verifiers, "region_code"),
      rule("VerifySubmission", verifiers, "region_code"),
      rule("FileObjection", {Role::kRegionOperator}, "region_code"),
      rule("ResolveObjection", {Role::kNationalAdmin, Role::kCentralReviewer}, "region_code"),
      rule("GetStageAnswers", readers, "region_code"),
      rule("ListAuditEntries", readers, "region_code"),
      rule("UploadEvidence", {Role::kRegionOperator, Role::kOpdContributor}, "header.region_code"),
      rule("GetUploadStatus", {Role::kRegionOperator, Role::kOpdContributor}, "region_code"),
      rule("ListEvidence", readers, "region_code"),
      rule("DownloadEvidence", readers, "region_code"),
      rule("DetachEvidence", {Role::kRegionOperator, Role::kOpdContributor}, "region_code"),
  };
}

}  // namespace kla::submission
