#include "libs/testing/auth.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/auth/keys.h"

namespace kla::testing {

TestTokens::TestTokens(auth::TokenVerifier* verifier, const Clock* clock) {
  auto key = auth::GenerateSigningKey();
  if (!key.ok() || !verifier->AddKey(key->public_pem).ok()) std::abort();
  issuer_ = std::make_unique<auth::TokenIssuer>(*key, clock, absl::Hours(1));
}

std::string TestTokens::For(auth::Principal principal) {
  auto token = issuer_->Issue(&principal);
  if (!token.ok()) std::abort();
  return *token;
}

std::string TestTokens::Admin() { return For(Of(auth::Role::kNationalAdmin, "test-admin")); }

auth::Principal TestTokens::Of(auth::Role role, std::string subject) {
  auth::Principal p;
  p.role = role;
  p.subject = std::move(subject);
  return p;
}

auth::Principal TestTokens::ProvinceVerifier(const std::string& province) {
  auth::Principal p = Of(auth::Role::kProvinceVerifier, absl::StrCat("verifier-", province));
  p.province_code = province;
  return p;
}

auth::Principal TestTokens::Operator(const std::string& region) {
  auth::Principal p = Of(auth::Role::kRegionOperator, absl::StrCat("op-", region));
  p.region_code = region;
  return p;
}

auth::Principal TestTokens::Contributor(const std::string& region, const std::string& agency) {
  auth::Principal p = Of(auth::Role::kOpdContributor, absl::StrCat("opd-", region));
  p.region_code = region;
  p.agency = agency;
  return p;
}

auth::Principal TestTokens::FieldVerifier(const std::string& home_province, std::vector<std::string> assigned) {
  auth::Principal p = Of(auth::Role::kFieldVerifier, absl::StrCat("field-", home_province));
  p.province_code = home_province;
  p.assigned_regions = std::move(assigned);
  return p;
}

std::unique_ptr<grpc::ClientContext> AuthedContext(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return ctx;
}

}  // namespace kla::testing
