#include "services/submission/domain/answer_text.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "libs/kernel/csv.h"

namespace kla::submission {
namespace {

registry::v1::ItemRule Rule(registry::v1::ItemType type) {
  registry::v1::ItemRule r;
  r.set_id("x");
  r.set_type(type);
  return r;
}

TEST(AnswerTextTest, ReadsWhatPeopleType) {
  v1::AnswerValue v;
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_BOOLEAN), " Ya ", &v), "");
  EXPECT_TRUE(v.boolean());
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_BOOLEAN), "tidak", &v), "");
  EXPECT_FALSE(v.boolean());
  EXPECT_NE(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_BOOLEAN), "mungkin", &v), "");
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_PERCENT), "87,5", &v), "");
  EXPECT_EQ(v.percent_hundredths(), 8750);
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_PERCENT), "87.05%", &v), "");
  EXPECT_EQ(v.percent_hundredths(), 8705);
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_PERCENT), "140", &v),
            "");  // the range is score::CheckAnswerValue's
  EXPECT_EQ(v.percent_hundredths(), 14000);
  EXPECT_NE(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_PERCENT), "87,555", &v), "");
  EXPECT_NE(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_PERCENT), "delapan", &v), "");
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_COUNT), "-3", &v), "");
  EXPECT_EQ(v.count(), -3);
  EXPECT_NE(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_COUNT), "12,5", &v), "");
  EXPECT_EQ(ParseAnswerText(Rule(registry::v1::ITEM_TYPE_TEXT), "Perda 3/2019", &v), "");
  EXPECT_EQ(v.text(), "Perda 3/2019");
}

TEST(AnswerTextTest, WhatIsWrittenReadsBack) {
  for (const char* text : {"boolean: true", "boolean: false", "percent_hundredths: 8705", "percent_hundredths: 0",
                           "count: 12", "choice: \"perda\"", "text: \"a, \\\"b\\\"\""}) {
    v1::AnswerValue v;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &v));
    registry::v1::ItemType type = v.has_boolean()              ? registry::v1::ITEM_TYPE_BOOLEAN
                                  : v.has_percent_hundredths() ? registry::v1::ITEM_TYPE_PERCENT
                                  : v.has_count()              ? registry::v1::ITEM_TYPE_COUNT
                                  : v.has_choice()             ? registry::v1::ITEM_TYPE_CHOICE
                                                               : registry::v1::ITEM_TYPE_TEXT;
    const std::string line = "x," + CsvField(AnswerText(v)) + ",note";
    const auto records = ParseCsv(line);
    ASSERT_TRUE(records.ok()) << line;
    const std::vector<std::string>& fields = (*records)[0].fields;
    ASSERT_EQ(fields.size(), 3u) << line;
    v1::AnswerValue back;
    EXPECT_EQ(ParseAnswerText(Rule(type), fields[1], &back), "") << line;
    EXPECT_EQ(back.SerializeAsString(), v.SerializeAsString()) << line;
  }
}

}  // namespace
}  // namespace kla::submission
