#include "libs/kernel/time.h"

#include <gtest/gtest.h>

namespace kla {
namespace {

TEST(TimeTest, ProtoTimeRoundTripsToTheMicrosecond) {
  const absl::Time t = absl::FromUnixMicros(1743440399123456);
  EXPECT_EQ(FromProtoTime(ToProtoTime(t)), t);
  EXPECT_EQ(ToProtoTime(t).seconds(), 1743440399);
  EXPECT_EQ(ToProtoTime(t).nanos(), 123456000);
}

TEST(TimeTest, PeopleReadWib) {
  // 2025-03-31 16:59:59 UTC is one second before midnight in Jakarta.
  const absl::Time t = absl::FromUnixSeconds(1743440399);
  EXPECT_EQ(FormatWib(t), "2025-03-31 23:59 WIB");
  EXPECT_EQ(FormatWibClock(t), "23:59:59 WIB");
}

}  // namespace
}  // namespace kla
