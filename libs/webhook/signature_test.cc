#include "libs/webhook/signature.h"

#include <gtest/gtest.h>

namespace kla::webhook {
namespace {

// The Standard Webhooks specification's published test vector: an agency
// can check its own verifier against the same values (docs/webhooks.md).
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr char kBody[] = R"({"test": 2432232314})";
constexpr char kSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignatureTest, MatchesTheStandardWebhooksVector) {
  auto key = DecodeSecret(kSecret);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(Sign(kId, kTimestamp, kBody, {*key}), kSignature);
  const absl::Time at = absl::FromUnixSeconds(kTimestamp + 30);
  EXPECT_TRUE(Verify({kSecret}, kId, "1614265330", kBody, kSignature, at));
  EXPECT_FALSE(Verify({kSecret}, kId, "1614265330", R"({"test": 2432232315})", kSignature, at));  // body changed
  EXPECT_FALSE(Verify({kSecret}, "msg_other", "1614265330", kBody, kSignature, at));
  EXPECT_FALSE(Verify({kSecret}, kId, "1614265330", kBody, kSignature, at + absl::Minutes(10)));  // replayed late
}

TEST(SignatureTest, TwoSecretsDuringRotationSignTwice) {
  const std::string fresh = NewSecret();
  ASSERT_EQ(fresh.rfind("whsec_", 0), 0u);
  auto old_key = DecodeSecret(kSecret);
  auto new_key = DecodeSecret(fresh);
  ASSERT_TRUE(new_key.ok());
  EXPECT_EQ(new_key->size(), 32u);
  const std::string header = Sign(kId, kTimestamp, kBody, {*new_key, *old_key});
  EXPECT_EQ(header.substr(header.find(' ') + 1), kSignature);
  const absl::Time at = absl::FromUnixSeconds(kTimestamp);
  EXPECT_TRUE(Verify({kSecret}, kId, "1614265330", kBody, header, at));  // a receiver still on the old secret
  EXPECT_TRUE(Verify({fresh}, kId, "1614265330", kBody, header, at));    // one already on the new
  EXPECT_NE(NewSecret(), fresh);
  EXPECT_FALSE(DecodeSecret("whsec_c2hvcnQ=").ok());  // "short"
  EXPECT_FALSE(DecodeSecret("whsec_not base64!").ok());
}

}  // namespace
}  // namespace kla::webhook
