#include "libs/rpc/streams.h"

#include <gtest/gtest.h>

#include "libs/common/errors.h"

namespace kla::rpc {
namespace {

class StreamTrackerTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<StreamLease>> Open(const std::string& account) {
    return tracker_.Open([this] { ++cancelled_; }, account);
  }
  FakeClock clock_;
  StreamTracker tracker_{
      StreamLimits{.idle_timeout = absl::Seconds(60), .max_lifetime = absl::Hours(1), .per_account = 3, .total = 5},
      &clock_};
  int cancelled_ = 0;
};

TEST_F(StreamTrackerTest, OneAccountCannotTakeEveryStream) {
  std::vector<std::unique_ptr<StreamLease>> held;
  for (int i = 0; i < 3; ++i) held.push_back(*Open("op.kota-blitar"));
  auto fourth = Open("op.kota-blitar");
  EXPECT_EQ(fourth.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(GetRetryAfter(fourth.status()).has_value());
  // Others still get streams, up to the process's limit.
  held.push_back(*Open("bps.integrasi"));
  held.push_back(*Open("bps.integrasi"));
  EXPECT_EQ(Open("satudata").status().code(), absl::StatusCode::kResourceExhausted);
  // A closed stream frees its place.
  held.erase(held.begin());
  auto again = Open("op.kota-blitar");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(tracker_.open(), 5);
}

TEST_F(StreamTrackerTest, IdleStreamsAreCancelledBusyOnesAreNot) {
  auto stalled = *Open("op.kota-blitar");
  auto busy = *Open("op.kota-blitar");
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(absl::Seconds(15));
    busy->Touch();
    tracker_.Sweep();
  }
  EXPECT_EQ(cancelled_, 1);  // the stalled one, once
  tracker_.Sweep();
  EXPECT_EQ(cancelled_, 1);
}

TEST_F(StreamTrackerTest, NoStreamOutlivesItsLifetime) {
  auto feed = *Open("bps.integrasi");
  clock_.Advance(absl::Minutes(59));
  feed->Touch();
  EXPECT_FALSE(feed->Expired());
  clock_.Advance(absl::Minutes(1));
  feed->Touch();
  EXPECT_TRUE(feed->Expired());  // the handler ends it, resumable
  EXPECT_EQ(tracker_.Sweep(), 0);
  // A handler that does not end it is cancelled an idle timeout later.
  clock_.Advance(absl::Seconds(60));
  feed->Touch();
  EXPECT_EQ(tracker_.Sweep(), 1);
}

}  // namespace
}  // namespace kla::rpc
