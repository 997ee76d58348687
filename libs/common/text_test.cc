#include "libs/common/text.h"

#include <gtest/gtest.h>

namespace kla {
namespace {

TEST(FoldForSearchTest, LowercasesAndStripsAccents) {
  EXPECT_EQ(FoldForSearch("Kota BLITAR"), "kota blitar");
  EXPECT_EQ(FoldForSearch("Ségé Łódź"), "sege lodz");
  EXPECT_EQ(FoldForSearch("Tojo Una-Una"), "tojo una una");
  EXPECT_EQ(FoldForSearch("  Pangkajene   Dan\tKepulauan "), "pangkajene dan kepulauan");
  EXPECT_EQ(FoldForSearch("Jum'at"), "jumat");
}

TEST(FoldForSearchTest, KeepsOtherScriptsAndSkipsInvalidBytes) {
  EXPECT_EQ(FoldForSearch("日本"), "日本");
  EXPECT_EQ(FoldForSearch(std::string("a\xff"
                                      "b")),
            "ab");
}

TEST(Utf8Test, Validates) {
  EXPECT_TRUE(IsValidUtf8("Kota Blitar é"));
  EXPECT_FALSE(IsValidUtf8(std::string("\xc3\x28")));
  EXPECT_FALSE(IsValidUtf8(std::string("\xed\xa0\x80")));  // surrogate
}

}  // namespace
}  // namespace kla
