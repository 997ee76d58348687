#include "libs/common/call_deadline.h"

#include <thread>

#include "gtest/gtest.h"

namespace kla {
namespace {

TEST(CallDeadlineTest, OutsideACallOnlyTheBudgetCounts) {
  EXPECT_EQ(CallDeadline(), absl::InfiniteFuture());
  const absl::Time before = absl::Now();
  const absl::Time d = OutboundDeadline(absl::Seconds(5));
  EXPECT_GE(d, before + absl::Seconds(5));
  EXPECT_LE(d, absl::Now() + absl::Seconds(5));
}

TEST(CallDeadlineTest, ACallWithLittleTimeLeftShortensEveryOutboundCall) {
  const absl::Time soon = absl::Now() + absl::Milliseconds(300);
  {
    ScopedCallDeadline call(soon);
    EXPECT_EQ(CallDeadline(), soon);
    EXPECT_EQ(OutboundDeadline(absl::Seconds(5)), soon);  // not now + 5 s
    // A budget shorter than what is left still applies.
    EXPECT_LT(OutboundDeadline(absl::Milliseconds(10)), soon);
  }
  EXPECT_EQ(CallDeadline(), absl::InfiniteFuture());  // restored when the call ends
}

TEST(CallDeadlineTest, NestedScopesOnlyShortenAndRestoreInOrder) {
  const absl::Time outer = absl::Now() + absl::Seconds(2);
  ScopedCallDeadline a(outer);
  {
    ScopedCallDeadline later(outer + absl::Hours(1));
    EXPECT_EQ(CallDeadline(), outer);  // a later deadline does not extend it
    const absl::Time inner = outer - absl::Seconds(1);
    ScopedCallDeadline b(inner);
    EXPECT_EQ(CallDeadline(), inner);
  }
  EXPECT_EQ(CallDeadline(), outer);
}

TEST(CallDeadlineTest, EachThreadHasItsOwn) {
  ScopedCallDeadline call(absl::Now() + absl::Seconds(1));
  absl::Time seen;
  std::thread other([&] { seen = CallDeadline(); });
  other.join();
  EXPECT_EQ(seen, absl::InfiniteFuture());
}

}  // namespace
}  // namespace kla
