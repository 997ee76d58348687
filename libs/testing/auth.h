#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "libs/auth/principal.h"
#include "libs/auth/token.h"

namespace kla::testing {

// Tokens for any principal, signed with a fresh key that is added to a
// verifier under test (the server's own keys stay as they are).
class TestTokens {
 public:
  explicit TestTokens(auth::TokenVerifier* verifier, const Clock* clock = SystemClock::Get());
  std::string For(auth::Principal principal);
  // A national admin named "test-admin".
  std::string Admin();

  // Principals of each role, for readable tests.
  static auth::Principal Of(auth::Role role, std::string subject);
  static auth::Principal ProvinceVerifier(const std::string& province);
  static auth::Principal Operator(const std::string& region);
  static auth::Principal Contributor(const std::string& region, const std::string& agency);
  static auth::Principal FieldVerifier(const std::string& home_province, std::vector<std::string> assigned);

 private:
  std::unique_ptr<auth::TokenIssuer> issuer_;
};

// A JWT with exactly `claims_json` (e.g. a forged lifetime), signed ES256
// with `key` under `kid`: what someone holding a leaked key could make.
std::string SignClaims(const std::string& kid, const std::string& private_pem, const std::string& claims_json);

// A client context with a 10 s deadline and, unless empty, the bearer token.
std::unique_ptr<grpc::ClientContext> AuthedContext(const std::string& token);

}  // namespace kla::testing
