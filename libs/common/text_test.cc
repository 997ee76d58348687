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

TEST(FileNameTest, OrdinaryNamesPassTrapsDoNot) {
  for (const char* ok : {"SK Gugus Tugas KLA 2024.pdf", "Perda No. 3 Tahun 2021 (Kota Blitar).pdf",
                         "Profil Anak — Kabupaten Mimika.pdf", "foto_posyandu_01.jpg", "CONSOLE.pdf", "com10.pdf"}) {
    EXPECT_EQ(FileNameProblem(ok), "") << ok;
  }
  for (const char* bad :
       {"", ".", "..", "../registry.db", "a/b.pdf", "C:\\Windows\\x.pdf", "laporan\n.pdf", "tab\t.pdf", "\xc2\x85.pdf",
        "gpj.\xe2\x80\xae"
        "exe",
        "\xe2\x81\xa6x.pdf", " lead.pdf", "trail.pdf ", "dot.", "CON", "nul.txt", "Com1.pdf", "LPT9", "\xff\xfe.pdf"}) {
    EXPECT_NE(FileNameProblem(bad), "") << bad;
  }
  EXPECT_NE(FileNameProblem(std::string(256, 'a')), "");
}

TEST(BomTest, ExcelsCsvUtf8Mark) {
  EXPECT_EQ(StripUtf8Bom("\xEF\xBB\xBFitem_id,value"), "item_id,value");
  EXPECT_EQ(StripUtf8Bom("item_id,value"), "item_id,value");
  EXPECT_EQ(StripUtf8Bom(""), "");
}

TEST(Utf8Test, Validates) {
  EXPECT_TRUE(IsValidUtf8("Kota Blitar é"));
  EXPECT_FALSE(IsValidUtf8(std::string("\xc3\x28")));
  EXPECT_FALSE(IsValidUtf8(std::string("\xed\xa0\x80")));  // surrogate
}

}  // namespace
}  // namespace kla
