#include "libs/auth/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla::auth {
namespace {

TEST(PasswordTest, Argon2idHashVerifies) {
  auto h = HashPassword("rahasia-blitar-2025");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_THAT(*h, ::testing::StartsWith("$argon2id$v=19$m=65536,t=3,p=1$"));
  EXPECT_TRUE(VerifyPassword("rahasia-blitar-2025", *h));
  EXPECT_FALSE(VerifyPassword("rahasia-blitar-2024", *h));
  EXPECT_NE(*HashPassword("rahasia-blitar-2025"), *h);  // salted
  EXPECT_FALSE(HashPassword("pendek").ok());
  EXPECT_FALSE(VerifyPassword("x", "not-a-hash"));
}

TEST(SecretTest, RandomAndDigested) {
  const std::string a = NewSecret(), b = NewSecret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_EQ(SecretDigest(a).size(), 64u);
  EXPECT_EQ(SecretDigest(a), SecretDigest(a));
}

}  // namespace
}  // namespace kla::auth
