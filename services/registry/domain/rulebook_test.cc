#include "services/registry/domain/rulebook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/testing/process.h"

namespace kla::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Rulebook Default() {
  auto rb = ParseRulebookText(testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto"));
  EXPECT_TRUE(rb.ok()) << rb.status();
  return rb.ok() ? *rb : v1::Rulebook();
}

std::vector<std::string> Fields(const std::vector<FieldViolation>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.field);
  return out;
}

TEST(RulebookTest, DefaultRulebookIsValidAndComplete) {
  v1::Rulebook rb = Default();
  EXPECT_THAT(ValidateRulebook(rb), IsEmpty());
  EXPECT_EQ(rb.indicators_size(), 24);
  EXPECT_TRUE(rb.weights_illustrative());
  for (const auto& ind : rb.indicators()) {
    EXPECT_GE(ind.items_size(), 3) << ind.number();
    EXPECT_LE(ind.items_size(), 8) << ind.number();
  }
  EXPECT_EQ(rb.indicators(3).name(), "Kepemilikan kutipan akta kelahiran");
  EXPECT_EQ(rb.bands(1).min_score().hundredths(), 60100);  // Madya from 601,00
}

TEST(RulebookTest, TenMistakesAreTenViolations) {
  v1::Rulebook rb = Default();
  rb.set_version("2023 baru");                                                            // 1 space in version
  rb.mutable_clusters(0)->set_name("");                                                   // 2 cluster name
  rb.mutable_indicators(0)->mutable_items(0)->set_question("");                           // 3 question
  rb.mutable_indicators(1)->mutable_items(0)->set_id("1.9");                              // 4 id of another indicator
  rb.mutable_indicators(2)->mutable_items(0)->set_type(v1::ITEM_TYPE_UNSPECIFIED);        // 5 type
  rb.mutable_indicators(3)->mutable_items(1)->set_owner_opd("");                          // 6 owner
  rb.mutable_indicators(6)->mutable_items(0)->mutable_options(0)->set_share_percent(90);  // 7 choices don't cover
  rb.mutable_indicators(5)->mutable_items(1)->mutable_steps(3)->set_share_percent(10);    // 8+9 step down, last not 100
  rb.mutable_bands(2)->mutable_min_score()->set_hundredths(55000);                        // 10 bands not ascending
  auto v = ValidateRulebook(rb);
  EXPECT_EQ(v.size(), 10u) << ::testing::PrintToString(Fields(v));
  EXPECT_THAT(Fields(v),
              ::testing::UnorderedElementsAre("version", "clusters[0].name", "indicators[0].items[0].question",
                                              "indicators[1].items[0].id", "indicators[2].items[0].type",
                                              "indicators[3].items[1].owner_opd", "indicators[6].items[0].options",
                                              "indicators[5].items[1].steps[3].share_percent",
                                              "indicators[5].items[1].steps", "bands[2].min_score"));
}

TEST(RulebookTest, WeightsMustAddUp) {
  v1::Rulebook rb = Default();
  rb.mutable_indicators(0)->mutable_max_points()->set_hundredths(6100);  // cluster and total off by 1
  rb.mutable_indicators(4)->mutable_items(0)->set_weight(41);            // items add to 101
  auto v = ValidateRulebook(rb);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_THAT(v[0].description, HasSubstr("add up to 101"));
  EXPECT_THAT(v[1].description, HasSubstr("KELEMBAGAAN add up to 181.00 points, the cluster has 180.00"));
  v1::Rulebook empty;
  EXPECT_GT(ValidateRulebook(empty).size(), 5u);
}

TEST(RulebookTest, SyntaxErrorsNameLineAndColumn) {
  auto rb = ParseRulebookText("version: \"x\"\ntitle: \"y\"\nindicators { number: satu }\n");
  ASSERT_EQ(rb.status().code(), absl::StatusCode::kInvalidArgument);
  auto v = GetFieldViolations(rb.status());
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].field, "textproto");
  EXPECT_THAT(v[0].description, HasSubstr("line 3 column"));
}

TEST(RulebookTest, HashIgnoresFormatting) {
  auto a = ParseRulebookText("version: \"1\" title: \"t\"");
  auto b = ParseRulebookText("# comment\nversion:   \"1\"\n\ntitle: 't'\n");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(RulebookHash(*a), RulebookHash(*b));
  EXPECT_EQ(RulebookHash(*a).size(), 64u);
  EXPECT_EQ(ItemCount(Default()), 77);
}

}  // namespace
}  // namespace kla::registry
