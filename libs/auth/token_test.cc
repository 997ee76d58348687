#include "libs/auth/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"

namespace kla::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = GenerateSigningKey();
    ASSERT_TRUE(k.ok()) << k.status();
    key_ = *k;
    ASSERT_TRUE(verifier_.AddKey(key_.public_pem).ok());
  }
  Principal FieldVerifier() {
    return Principal{.subject = "acc-123",
                     .role = Role::kFieldVerifier,
                     .province_code = "33",
                     .assigned_regions = {"35.72", "35.05"}};
  }
  FakeClock clock_;
  SigningKey key_;
  TokenVerifier verifier_{&clock_};
};

TEST_F(TokenTest, IssuedTokenVerifiesWithAllClaims) {
  TokenIssuer issuer(key_, &clock_, absl::Minutes(15));
  Principal p = FieldVerifier();
  auto token = issuer.Issue(&p);
  ASSERT_TRUE(token.ok()) << token.status();
  auto got = verifier_.Verify(*token);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->subject, "acc-123");
  EXPECT_EQ(got->role, Role::kFieldVerifier);
  EXPECT_EQ(got->province_code, "33");
  EXPECT_THAT(got->assigned_regions, ElementsAre("35.72", "35.05"));
  EXPECT_EQ(got->token_id, p.token_id);
  EXPECT_EQ(got->expires, absl::FromUnixSeconds(absl::ToUnixSeconds(clock_.Now() + absl::Minutes(15))));
}

TEST_F(TokenTest, ExpiredTokenIsRefused) {
  TokenIssuer issuer(key_, &clock_, absl::Minutes(15));
  Principal p = FieldVerifier();
  auto token = issuer.Issue(&p);
  clock_.Advance(absl::Minutes(15));
  auto got = verifier_.Verify(*token);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("expired"));
}

TEST_F(TokenTest, RevocationRefusesTokensIssuedBeforeIt) {
  TokenIssuer issuer(key_, &clock_, absl::Minutes(15));
  Principal p = FieldVerifier();
  const std::string before = *issuer.Issue(&p);
  Principal other = FieldVerifier();
  other.subject = "acc-456";
  const std::string unrelated = *issuer.Issue(&other);
  // In the same second as the sign-in: revocation does not depend on time.
  verifier_.Revoke("acc-123", 1);
  EXPECT_THAT(verifier_.Verify(before).status().message(), HasSubstr("revoked"));
  EXPECT_TRUE(verifier_.Verify(unrelated).ok());          // only that account
  p.generation = 1;                                       // the account's next generation
  EXPECT_TRUE(verifier_.Verify(*issuer.Issue(&p)).ok());  // a new sign-in works at once
  verifier_.Revoke("acc-123", 0);                         // never lowered by a stale update
  EXPECT_FALSE(verifier_.Verify(before).ok());
  verifier_.SetRevocations({});  // a sync without the entry lifts it
  EXPECT_TRUE(verifier_.Verify(before).ok());
}

// Verified tokens are remembered (the signature is not checked again), but
// expiry and revocation are checked on every call.
TEST_F(TokenTest, ARememberedTokenIsStillCheckedForExpiryAndRevocation) {
  TokenIssuer issuer(key_, &clock_, absl::Minutes(15));
  Principal p = FieldVerifier();
  const std::string token = *issuer.Issue(&p);
  ASSERT_TRUE(verifier_.Verify(token).ok());
  ASSERT_TRUE(verifier_.Verify(token).ok());  // from memory
  verifier_.Revoke("acc-123", 1);
  EXPECT_THAT(verifier_.Verify(token).status().message(), HasSubstr("revoked"));
  verifier_.SetRevocations({});
  ASSERT_TRUE(verifier_.Verify(token).ok());
  clock_.Advance(absl::Minutes(16));
  EXPECT_THAT(verifier_.Verify(token).status().message(), HasSubstr("expired"));
}

TEST_F(TokenTest, WrongKeyTamperedClaimsAndNoneAlgorithmAreRefused) {
  // Signed by another key that claims our key id is impossible (the id is
  // derived from the key), so a foreign key is simply unknown...
  auto other = GenerateSigningKey();
  ASSERT_TRUE(other.ok());
  Principal p = FieldVerifier();
  auto foreign = TokenIssuer(*other, &clock_).Issue(&p);
  EXPECT_THAT(verifier_.Verify(*foreign).status().message(), HasSubstr("unknown key"));
  // ...and one forged with our key id but another key's signature fails.
  SigningKey forger = *other;
  forger.kid = key_.kid;
  auto forged = TokenIssuer(forger, &clock_).Issue(&p);
  EXPECT_THAT(verifier_.Verify(*forged).status().message(), HasSubstr("bad signature"));

  // Tampered claims: make ourselves a national admin.
  auto token = TokenIssuer(key_, &clock_).Issue(&p);
  std::vector<std::string> parts = absl::StrSplit(*token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  const size_t at = payload.find("FIELD_VERIFIER");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 14, "NATIONAL_ADMIN");
  const std::string tampered = parts[0] + "." + absl::WebSafeBase64Escape(payload) + "." + parts[2];
  EXPECT_EQ(verifier_.Verify(tampered).status().code(), absl::StatusCode::kUnauthenticated);

  // alg "none" with no signature.
  const std::string none =
      absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})") + "." + absl::WebSafeBase64Escape(payload) + ".";
  EXPECT_EQ(verifier_.Verify(none).status().code(), absl::StatusCode::kUnauthenticated);

  for (const std::string& junk : {std::string(""), std::string("abc"), std::string("a.b.c"), std::string(9000, 'x')}) {
    EXPECT_EQ(verifier_.Verify(junk).status().code(), absl::StatusCode::kUnauthenticated) << junk.substr(0, 10);
  }
}

std::string SignClaims(const SigningKey& key, const std::string& claims_json) {
  return testing::SignClaims(key.kid, key.private_pem, claims_json);
}

TEST_F(TokenTest, LifetimeIssueTimeAudienceAndNotBeforeAreEnforced) {
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto claims = [&](const std::string& extra) {
    return absl::StrCat(R"({"iss":"kla","sub":"admin","role":"NATIONAL_ADMIN",)", extra, "}");
  };
  const std::string good = claims(absl::StrCat(R"("aud":"kla-api","iat":)", now, R"(,"exp":)", now + 3600));
  EXPECT_TRUE(verifier_.Verify(SignClaims(key_, good)).ok());
  // The attack of the review: a NATIONAL_ADMIN token valid for 12 years.
  const std::string twelve_years =
      claims(absl::StrCat(R"("aud":"kla-api","iat":)", now, R"(,"exp":)", now + int64_t{12} * 365 * 86400));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, twelve_years)).status().message(), HasSubstr("lifetime"));
  const std::string no_iat = claims(absl::StrCat(R"("aud":"kla-api","exp":)", now + 3600));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, no_iat)).status().message(), HasSubstr("issue"));
  const std::string no_aud = claims(absl::StrCat(R"("iat":)", now, R"(,"exp":)", now + 3600));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, no_aud)).status().message(), HasSubstr("not issued for kla"));
  const std::string other_aud = claims(absl::StrCat(R"("aud":"simfoni","iat":)", now, R"(,"exp":)", now + 3600));
  EXPECT_EQ(verifier_.Verify(SignClaims(key_, other_aud)).status().code(), absl::StatusCode::kUnauthenticated);
  const std::string later =
      claims(absl::StrCat(R"("aud":"kla-api","iat":)", now, R"(,"nbf":)", now + 600, R"(,"exp":)", now + 3600));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, later)).status().message(), HasSubstr("not valid yet"));
  const std::string future = claims(absl::StrCat(R"("aud":"kla-api","iat":)", now + 600, R"(,"exp":)", now + 3600));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, future)).status().message(), HasSubstr("future"));
  // A shorter configured maximum refuses a token the default would take.
  verifier_.set_max_lifetime(absl::Minutes(30));
  EXPECT_THAT(verifier_.Verify(SignClaims(key_, good)).status().message(), HasSubstr("lifetime"));
}

TEST_F(TokenTest, KeyRotationWithoutDowntime) {
  auto next = GenerateSigningKey();
  ASSERT_TRUE(next.ok());
  Principal p = FieldVerifier();
  auto old_token = TokenIssuer(key_, &clock_).Issue(&p);
  ASSERT_TRUE(verifier_.AddKey(next->public_pem).ok());    // 1. verifiers learn the new key
  auto new_token = TokenIssuer(*next, &clock_).Issue(&p);  // 2. the registry signs with it
  EXPECT_TRUE(verifier_.Verify(*old_token).ok());          // tokens in flight still work
  EXPECT_TRUE(verifier_.Verify(*new_token).ok());
  verifier_.RemoveKey(key_.kid);  // 3. the old key retires
  EXPECT_FALSE(verifier_.Verify(*old_token).ok());
  EXPECT_TRUE(verifier_.Verify(*new_token).ok());
}

TEST(SigningKeyTest, LoadOrCreateKeepsTheKeyPrivateAndStable) {
  testing::TempDir dir;
  auto first = LoadOrCreateSigningKey(dir.path() + "/keys");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = LoadOrCreateSigningKey(dir.path() + "/keys");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->kid, second->kid);
  EXPECT_EQ(first->kid.size(), 16u);
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/keys/signing-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(FromPrivatePem("not a key").ok());
}

}  // namespace
}  // namespace kla::auth
