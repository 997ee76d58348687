#include "libs/kernel/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  // As Excel's "CSV UTF-8" saves a cell with Alt+Enter in it: BOM, CRLF.
  const auto records = ParseCsv(
      "\xEF\xBB\xBFitem_id,value,note\r\nI01.1,ya,\"Perda 3/2019,\r\npasal 5 \"\"resmi\"\"\"\r\nI01.2,tidak,\r\n");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_THAT((*records)[0].fields, ElementsAre("item_id", "value", "note"));
  EXPECT_THAT((*records)[1].fields, ElementsAre("I01.1", "ya", "Perda 3/2019,\r\npasal 5 \"resmi\""));
  EXPECT_EQ((*records)[1].line, 2);
  EXPECT_THAT((*records)[2].fields, ElementsAre("I01.2", "tidak", ""));
  EXPECT_EQ((*records)[2].line, 4) << "lines count the break inside the quoted field";
}

TEST(CsvTest, BlankLinesAndCommentsAreSkipped) {
  const auto records = ParseCsv("a,b\n\n   \n# a comment, with a comma\nc,d", {.comments = true});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_THAT((*records)[1].fields, ElementsAre("c", "d"));
  EXPECT_EQ((*records)[1].line, 5);
  EXPECT_EQ(ParseCsv("# x\n")->size(), 1u) << "without the option '#' is data";
}

TEST(CsvTest, AQuoteNeverClosedIsRefusedWithItsLine) {
  const auto records = ParseCsv("a,b\nc,\"open\nd,e\n");
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 2: unclosed quote"));
  EXPECT_THAT(ParseCsv("a,\"b\"c\n").status().message(), HasSubstr("line 1: text after a closing quote"));
}

TEST(CsvTest, AWrittenLineBreakReadsBack) {
  const std::string note = "baris satu\nbaris \"dua\", tiga";
  const auto back = ParseCsv("x," + CsvField(note) + "\n");
  ASSERT_TRUE(back.ok());
  EXPECT_THAT((*back)[0].fields, ElementsAre("x", note));
}

TEST(CsvTest, QuotingRoundTripsAndFormulasAreNeutralised) {
  EXPECT_THAT(ParseCsv("1.1,\"Perda 3/2019, pasal 5\",\"kata \"\"resmi\"\"\"\r")->at(0).fields,
              ElementsAre("1.1", "Perda 3/2019, pasal 5", "kata \"resmi\""));
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("plain"), "plain");
  // Spreadsheet formulas are neutralised (OWASP CSV injection)...
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\",\"klik\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"");
  EXPECT_EQ(CsvField("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("-2+3"), "'-2+3");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  // ...numbers stay numbers.
  EXPECT_EQ(CsvField("-12"), "-12");
  EXPECT_EQ(CsvField("+62"), "+62");
  EXPECT_EQ(CsvField("-82,5"), "\"-82,5\"");
}

}  // namespace
}  // namespace kla
