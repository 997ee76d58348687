#include "services/registry/domain/sign_in_throttle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/common/errors.h"

namespace kla::registry {
namespace {

using Result = SignInThrottle::Result;

class SignInThrottleTest : public ::testing::Test {
 protected:
  // One whole attempt: claimed, then a wrong (or right) password.
  absl::Status Try(const std::string& name, const std::string& source, bool right = false) {
    absl::Status claimed = throttle_.Claim(name, source);
    if (claimed.ok()) throttle_.Finish(name, source, right ? Result::kRight : Result::kWrong);
    return claimed;
  }
  FakeClock clock_;
  SignInThrottle throttle_{SignInLimits{}, &clock_};
};

TEST_F(SignInThrottleTest, FiveWrongGuessesFromOneSourceStopThatSourceNotTheOwner) {
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Try("op.kota-blitar", "203.0.113.9").ok());
  absl::Status stopped = throttle_.Claim("op.kota-blitar", "203.0.113.9");
  EXPECT_EQ(stopped.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GetRetryAfter(stopped), absl::Minutes(5));
  // The owner, elsewhere, signs in as usual.
  EXPECT_TRUE(Try("op.kota-blitar", "10.20.30.40", true).ok());
  // A stranger who comes back after the lockout gets five more, then waits
  // twice as long.
  clock_.Advance(absl::Minutes(5));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Try("op.kota-blitar", "203.0.113.9").ok());
  EXPECT_EQ(GetRetryAfter(throttle_.Claim("op.kota-blitar", "203.0.113.9")), absl::Minutes(10));
}

TEST_F(SignInThrottleTest, ConcurrentGuessesCountAsTheyStart) {
  // 64 attempts at once: only five are let through to a password check.
  int admitted = 0;
  for (int i = 0; i < 64; ++i) admitted += throttle_.Claim("admin", "203.0.113.9").ok() ? 1 : 0;
  EXPECT_EQ(admitted, 5);
  for (int i = 0; i < admitted; ++i) throttle_.Finish("admin", "203.0.113.9", Result::kWrong);
  EXPECT_FALSE(throttle_.Claim("admin", "203.0.113.9").ok());
}

TEST_F(SignInThrottleTest, UnknownAndExistingNamesAreThrottledAlike) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(Try("tidak-ada", "203.0.113.9").ok());
    EXPECT_TRUE(Try("admin", "203.0.113.9").ok());
  }
  const absl::Status unknown = throttle_.Claim("tidak-ada", "203.0.113.9");
  const absl::Status known = throttle_.Claim("admin", "203.0.113.9");
  EXPECT_EQ(unknown.code(), known.code());
  EXPECT_EQ(unknown.message(), known.message());
}

TEST_F(SignInThrottleTest, ManySourcesOnOneNameDelayItForMinutesNotForGood) {
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(Try("admin", "198.51.100." + std::to_string(i)).ok());
  EXPECT_EQ(GetRetryAfter(throttle_.Claim("admin", "10.20.30.40")), absl::Minutes(5));
  clock_.Advance(absl::Minutes(5));
  EXPECT_TRUE(Try("admin", "10.20.30.40", true).ok());
}

TEST_F(SignInThrottleTest, OneSourceGuessingManyNamesWaitsLongerEachTime) {
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(Try("user-" + std::to_string(i), "203.0.113.9").ok());
  EXPECT_EQ(GetRetryAfter(throttle_.Claim("user-99", "203.0.113.9")), absl::Seconds(1));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Try("user-21", "203.0.113.9").ok());
  EXPECT_EQ(GetRetryAfter(throttle_.Claim("user-99", "203.0.113.9")), absl::Seconds(2));
  // Other sources are not slowed.
  EXPECT_TRUE(throttle_.Claim("user-99", "192.0.2.1").ok());
}

TEST_F(SignInThrottleTest, ArgonChecksAreBoundedAndRefusedWithRetryInfo) {
  SignInThrottle tight(SignInLimits{.concurrent_hashes = 2, .hash_wait = absl::ZeroDuration()}, &clock_);
  std::optional<SignInThrottle::HashSlot> a, b, c;
  ASSERT_TRUE(tight.AcquireHash(&a).ok());
  ASSERT_TRUE(tight.AcquireHash(&b).ok());
  absl::Status busy = tight.AcquireHash(&c);
  EXPECT_EQ(busy.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(GetRetryAfter(busy).has_value());
  a.reset();  // a check finished: its slot is free again
  EXPECT_TRUE(tight.AcquireHash(&c).ok());
}

}  // namespace
}  // namespace kla::registry
