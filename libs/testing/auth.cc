#include "libs/testing/auth.h"

#include <jwt.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/auth/keys.h"

namespace kla::testing {

std::string SignClaims(const std::string& kid, const std::string& private_pem, const std::string& claims_json) {
  jwt_t* j = nullptr;
  if (jwt_new(&j) != 0) std::abort();
  const bool ok = jwt_add_grants_json(j, claims_json.c_str()) == 0 && jwt_add_header(j, "kid", kid.c_str()) == 0 &&
                  jwt_set_alg(j, JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(private_pem.data()),
                              static_cast<int>(private_pem.size())) == 0;
  char* encoded = ok ? jwt_encode_str(j) : nullptr;
  std::string out = encoded != nullptr ? encoded : "";
  free(encoded);  // libjwt allocates with malloc
  jwt_free(j);
  return out;
}

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
