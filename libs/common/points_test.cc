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

}  // namespace
}  // namespace kla
