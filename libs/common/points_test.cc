#include "libs/common/points.h"

#include <gtest/gtest.h>

namespace kla {
namespace {

TEST(FormatPointsTest, IndonesianAndEnglish) {
  EXPECT_EQ(FormatPoints(74250), "742,50");
  EXPECT_EQ(FormatPoints(74250, false), "742.50");
  EXPECT_EQ(FormatPoints(100000), "1.000,00");
  EXPECT_EQ(FormatPoints(100000, false), "1,000.00");
  EXPECT_EQ(FormatPoints(5), "0,05");
  EXPECT_EQ(FormatPoints(-150), "-1,50");
  EXPECT_EQ(FormatPoints(0), "0,00");
}

TEST(ParseHundredthsTest, CommaOrPointAtMostTwoDecimals) {
  int64_t v = 0;
  ASSERT_TRUE(ParseHundredths("742,50", &v));
  EXPECT_EQ(v, 74250);
  ASSERT_TRUE(ParseHundredths(" 742.5 ", &v));
  EXPECT_EQ(v, 74250);
  ASSERT_TRUE(ParseHundredths("87", &v));
  EXPECT_EQ(v, 8700);
  ASSERT_TRUE(ParseHundredths("-3,25", &v));
  EXPECT_EQ(v, -325);
  for (const char* bad : {"", "7,125", "1.000,00", "abc", "+5", "5,-1", "1,2,3", ",5"}) {
    EXPECT_FALSE(ParseHundredths(bad, &v)) << bad;
  }
}

}  // namespace
}  // namespace kla
