// Golden scores computed by hand: every number below is worked out in the
// comment beside it, not taken from the code.

#include "libs/score/score_engine.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace kla::score {
namespace {

using ::testing::ElementsAre;
using type::v1::PREDICATE_KLA;
using type::v1::PREDICATE_MADYA;
using type::v1::PREDICATE_NINDYA;
using type::v1::PREDICATE_NONE;
using type::v1::PREDICATE_PRATAMA;
using type::v1::PREDICATE_UTAMA;

constexpr char kBands[] = R"pb(
  bands {
    predicate: PREDICATE_PRATAMA
    min_score { hundredths: 50000 }
  }
  bands {
    predicate: PREDICATE_MADYA
    min_score { hundredths: 60100 }
  }
  bands {
    predicate: PREDICATE_NINDYA
    min_score { hundredths: 70100 }
  }
  bands {
    predicate: PREDICATE_UTAMA
    min_score { hundredths: 80100 }
  }
  bands {
    predicate: PREDICATE_KLA
    min_score { hundredths: 90100 }
  }
)pb";

// Indicator 1 (600,00 points): A yes/no 50, B choice 50 (a 100 %, b 50 %, c 0 %).
// Indicator 2 (400,00 points): C percent 60 (>= 50 %: half, >= 90 %: all),
// D count 40 (>= 1: half, >= 5: all), E text 0.
registry::v1::Rulebook Small() {
  registry::v1::Rulebook rb;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      std::string(R"pb(
        indicators {
          number: 1
          cluster: CLUSTER_KELEMBAGAAN
          max_points { hundredths: 60000 }
          items { id: "A" type: ITEM_TYPE_BOOLEAN weight: 50 owner_opd: "Bappeda" }
          items {
            id: "B"
            type: ITEM_TYPE_CHOICE
            weight: 50
            owner_opd: "Bagian Hukum"
            options { id: "a" share_percent: 100 }
            options { id: "b" share_percent: 50 }
            options { id: "c" share_percent: 0 }
          }
        }
        indicators {
          number: 2
          cluster: CLUSTER_K3_KESEHATAN
          max_points { hundredths: 40000 }
          items {
            id: "C"
            type: ITEM_TYPE_PERCENT
            weight: 60
            owner_opd: "Dinas Kesehatan"
            steps { min_hundredths: 5000 share_percent: 50 }
            steps { min_hundredths: 9000 share_percent: 100 }
          }
          items {
            id: "D"
            type: ITEM_TYPE_COUNT
            weight: 40
            owner_opd: "Dinas Kesehatan"
            steps { min_hundredths: 100 share_percent: 50 }
            steps { min_hundredths: 500 share_percent: 100 }
          }
          items { id: "E" type: ITEM_TYPE_TEXT weight: 0 }
        }
      )pb") +
          kBands,
      &rb));
  return rb;
}

// An answer with evidence attached.
ItemAnswer V(const std::string& text) {
  ItemAnswer a;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &a.value)) << text;
  a.has_evidence = true;
  return a;
}

ItemAnswer NoEvidence(const std::string& text) {
  ItemAnswer a = V(text);
  a.has_evidence = false;
  return a;
}

TEST(ScoreEngineTest, ItemsIndicatorsClustersAndTotalByHand) {
  // A yes (50 x 100), B "c" (50 x 0): indicator 1 scores 50,00 -> 600,00 x 0,5 = 300,00.
  // C 95 % (60 x 100), D 12 (40 x 100): indicator 2 scores 100,00 -> 400,00.
  const Score s = Compute(Small(), {{"A", V("boolean: true")},
                                    {"B", V("choice: \"c\"")},
                                    {"C", V("percent_hundredths: 9500")},
                                    {"D", V("count: 12")},
                                    {"E", V("text: \"Perwali 3/2024\"")}});
  ASSERT_EQ(s.indicators.size(), 2u);
  EXPECT_EQ(s.indicators[0].score_hundredths, 5000);
  EXPECT_EQ(s.indicators[0].earned_hundredths, 30000);
  EXPECT_THAT(s.indicators[0].unmet_items, ElementsAre("B"));
  EXPECT_EQ(s.indicators[1].earned_hundredths, 40000);
  EXPECT_TRUE(s.indicators[1].unmet_items.empty());  // E weighs nothing
  EXPECT_EQ(s.clusters.at(type::v1::CLUSTER_KELEMBAGAAN), 30000);
  EXPECT_EQ(s.clusters.at(type::v1::CLUSTER_K3_KESEHATAN), 40000);
  EXPECT_EQ(s.total_hundredths, 70000);     // 700,00
  EXPECT_EQ(s.predicate, PREDICATE_MADYA);  // 601,00 <= 700,00 < 701,00
}

TEST(ScoreEngineTest, StepsHalfSharesAndUnanswered) {
  // B "b": 50 x 50 = 2500 -> 600,00 x 0,25 = 150,00. C 60 % (half): 60 x 50 = 3000;
  // D 1 (half): 40 x 50 = 2000; indicator 2 = 5000 -> 200,00. A unanswered: 0.
  const Score s =
      Compute(Small(), {{"B", V("choice: \"b\"")}, {"C", V("percent_hundredths: 6000")}, {"D", V("count: 1")}});
  EXPECT_EQ(s.indicators[0].earned_hundredths, 15000);
  EXPECT_EQ(s.indicators[1].earned_hundredths, 20000);
  EXPECT_EQ(s.total_hundredths, 35000);
  EXPECT_EQ(s.predicate, PREDICATE_NONE);
  // Just under a step earns the lower share: 89,99 % is half, 4 is half.
  const Score under = Compute(Small(), {{"C", V("percent_hundredths: 8999")}, {"D", V("count: 4")}});
  EXPECT_EQ(under.indicators[1].earned_hundredths, 20000);
}

TEST(ScoreEngineTest, AnIndicatorIsRoundedHalfUpOnce) {
  // 333,33 points at 50 %: 33333 x 5000 / 10000 = 16666,5 hundredths -> 16667.
  registry::v1::Rulebook rb;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
                                                              indicators {
                                                                number: 1
                                                                max_points { hundredths: 33333 }
                                                                items { id: "x" type: ITEM_TYPE_BOOLEAN weight: 50 }
                                                                items { id: "y" type: ITEM_TYPE_BOOLEAN weight: 50 }
                                                              }
                                                            )pb",
                                                            &rb));
  EXPECT_EQ(Compute(rb, {{"x", V("boolean: true")}}).total_hundredths, 16667);
  EXPECT_EQ(Compute(rb, {{"x", V("boolean: true")}, {"y", V("boolean: true")}}).total_hundredths, 33333);
}

TEST(ScoreEngineTest, EveryBandEdge) {
  const registry::v1::Rulebook rb = Small();
  EXPECT_EQ(PredicateOf(rb, 0), PREDICATE_NONE);
  EXPECT_EQ(PredicateOf(rb, 49999), PREDICATE_NONE);
  EXPECT_EQ(PredicateOf(rb, 50000), PREDICATE_PRATAMA);
  EXPECT_EQ(PredicateOf(rb, 60099), PREDICATE_PRATAMA);  // 600,99
  EXPECT_EQ(PredicateOf(rb, 60100), PREDICATE_MADYA);    // 601,00
  EXPECT_EQ(PredicateOf(rb, 70099), PREDICATE_MADYA);
  EXPECT_EQ(PredicateOf(rb, 70100), PREDICATE_NINDYA);
  EXPECT_EQ(PredicateOf(rb, 80099), PREDICATE_NINDYA);
  EXPECT_EQ(PredicateOf(rb, 80100), PREDICATE_UTAMA);
  EXPECT_EQ(PredicateOf(rb, 90099), PREDICATE_UTAMA);
  EXPECT_EQ(PredicateOf(rb, 90100), PREDICATE_KLA);
  EXPECT_EQ(PredicateOf(rb, 100000), PREDICATE_KLA);
}

TEST(ScoreEngineTest, OneItemLiftsMadyaToNindya) {
  // 700,00 (Madya) needs 701,00: B to "a" adds 300,00 (indicator 1: 50 % -> 100 %).
  const PathToNext p = PathToNextPredicate(Small(), {{"A", V("boolean: true")},
                                                     {"B", V("choice: \"c\"")},
                                                     {"C", V("percent_hundredths: 9500")},
                                                     {"D", V("count: 12")}});
  EXPECT_EQ(p.current, PREDICATE_MADYA);
  EXPECT_EQ(p.next, PREDICATE_NINDYA);
  EXPECT_EQ(p.target_hundredths, 70100);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].item_id, "B");
  EXPECT_EQ(p.steps[0].owner_opd, "Bagian Hukum");
  EXPECT_EQ(p.steps[0].gain_hundredths, 30000);
  EXPECT_EQ(p.total_after_hundredths, 100000);
  EXPECT_TRUE(p.reachable);
}

// Four indicators of 250,00 points, four yes/no items of 25 each: every item
// is worth 62,50. Half of them met: 500,00 exactly (Pratama, on the edge).
registry::v1::Rulebook Even() {
  registry::v1::Rulebook rb;
  std::string text;
  for (int i = 1; i <= 4; ++i) {
    text += "indicators { number: " + std::to_string(i) + " max_points { hundredths: 25000 }";
    for (int j = 1; j <= 4; ++j) {
      text += " items { id: \"" + std::to_string(i) + "." + std::to_string(j) +
              "\" type: ITEM_TYPE_BOOLEAN weight: 25 owner_opd: \"" +
              (j % 2 == 1 ? "Dinas Kesehatan" : "Dinas Pendidikan") + "\" }";
    }
    text += " }";
  }
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text + kBands, &rb));
  return rb;
}

TEST(ScoreEngineTest, TheFewestItemsToTheNextBandLargestGainFirst) {
  AnswerMap answers;
  for (int i = 1; i <= 4; ++i) {
    answers[std::to_string(i) + ".1"] = V("boolean: true");
    answers[std::to_string(i) + ".2"] = V("boolean: true");
  }
  const PathToNext p = PathToNextPredicate(Even(), answers);
  EXPECT_EQ(p.total_hundredths, 50000);
  EXPECT_EQ(p.current, PREDICATE_PRATAMA);
  EXPECT_EQ(p.next, PREDICATE_MADYA);
  // 101,00 short: one item (62,50) is not enough, two (125,00) are. Equal
  // gains: rulebook order, so 1.3 and 1.4 — one for each agency.
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].item_id, "1.3");
  EXPECT_EQ(p.steps[0].owner_opd, "Dinas Kesehatan");
  EXPECT_EQ(p.steps[1].item_id, "1.4");
  EXPECT_EQ(p.steps[1].owner_opd, "Dinas Pendidikan");
  EXPECT_EQ(p.steps[0].gain_hundredths, 6250);
  EXPECT_EQ(p.total_after_hundredths, 62500);
}

TEST(ScoreEngineTest, RequiredEvidenceMissingEarnsNothingAndIsExplained) {
  registry::v1::Rulebook rb = Small();
  rb.mutable_indicators(0)->mutable_items(0)->set_evidence_required(true);  // A
  // A "ya" without evidence earns 0: indicator 1 = B "a" only, 50,00 -> 300,00.
  const Score s = Compute(rb, {{"A", NoEvidence("boolean: true")}, {"B", V("choice: \"a\"")}});
  EXPECT_EQ(s.indicators[0].earned_hundredths, 30000);
  EXPECT_THAT(s.indicators[0].unmet_items, ElementsAre("A"));
  EXPECT_THAT(s.indicators[0].missing_evidence, ElementsAre("A"));
  // A "tidak" without evidence is unmet for its answer, not for evidence.
  const Score no = Compute(rb, {{"A", NoEvidence("boolean: false")}});
  EXPECT_TRUE(no.indicators[0].missing_evidence.empty());
  // With evidence: 600,00.
  EXPECT_EQ(Compute(rb, {{"A", V("boolean: true")}, {"B", V("choice: \"a\"")}}).indicators[0].earned_hundredths, 60000);
  // The path names A as evidence only: attaching it is worth 300,00.
  const PathToNext p = PathToNextPredicate(rb, {{"A", NoEvidence("boolean: true")},
                                                {"B", V("choice: \"a\"")},
                                                {"C", V("percent_hundredths: 9500")},
                                                {"D", V("count: 5")}});
  // 300,00 + 400,00 = 700,00 Madya; Nindya needs 701,00: A is all that is left.
  EXPECT_EQ(p.total_hundredths, 70000);
  EXPECT_EQ(p.next, PREDICATE_NINDYA);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].item_id, "A");
  EXPECT_TRUE(p.steps[0].evidence_only);
  EXPECT_EQ(p.steps[0].gain_hundredths, 30000);
}

TEST(ScoreEngineTest, ThePathAsksForNoMorePointsThanNeeded) {
  // A "tidak" (0), B "a" (300,00), C 95 % (240,00), D 0: 540,00 Pratama;
  // Madya needs 601,00 (61,00 more). A would add 300,00, D 160,00: one item
  // either way, and D overshoots less.
  const PathToNext p = PathToNextPredicate(
      Small(), {{"A", V("boolean: false")}, {"B", V("choice: \"a\"")}, {"C", V("percent_hundredths: 9500")}});
  EXPECT_EQ(p.total_hundredths, 54000);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].item_id, "D");
  EXPECT_EQ(p.steps[0].gain_hundredths, 16000);
  EXPECT_EQ(p.total_after_hundredths, 70000);
}

TEST(ScoreEngineTest, NothingAboveTheTopBand) {
  AnswerMap answers;
  for (int i = 1; i <= 4; ++i) {
    for (int j = 1; j <= 4; ++j) answers[std::to_string(i) + "." + std::to_string(j)] = V("boolean: true");
  }
  const PathToNext p = PathToNextPredicate(Even(), answers);
  EXPECT_EQ(p.current, PREDICATE_KLA);
  EXPECT_EQ(p.next, PREDICATE_NONE);
  EXPECT_TRUE(p.steps.empty());
}

}  // namespace
}  // namespace kla::score
