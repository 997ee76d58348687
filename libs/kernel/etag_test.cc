#include "libs/kernel/etag.h"

#include <gtest/gtest.h>

namespace kla {
namespace {

TEST(EtagTest, RoundTripsPerKind) {
  EXPECT_EQ(FormatEtag(kCycleEtag, 3), "v3");
  EXPECT_EQ(FormatEtag(kSubmissionEtag, 12), "s12");
  EXPECT_EQ(FormatEtag(kAccountEtag, 0), "");  // not stored yet
  EXPECT_EQ(ParseEtag(kSubmissionEtag, "s12"), 12);
  EXPECT_EQ(ParseEtag(kCycleEtag, "s12"), std::nullopt);  // another kind's
  EXPECT_EQ(ParseEtag(kCycleEtag, "v"), std::nullopt);
  EXPECT_EQ(ParseEtag(kCycleEtag, "v0"), std::nullopt);
  EXPECT_EQ(ParseEtag(kCycleEtag, "v-1"), std::nullopt);
  EXPECT_EQ(ParseEtag(kCycleEtag, "v1x"), std::nullopt);
  EXPECT_EQ(ParseEtag(kCycleEtag, ""), std::nullopt);
}

}  // namespace
}  // namespace kla
