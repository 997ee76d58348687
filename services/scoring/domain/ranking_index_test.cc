#include "services/scoring/domain/ranking_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla::scoring {
namespace {

using ::testing::ElementsAre;

v1::RankingEntry E(const std::string& code, int64_t total, type::v1::Predicate p = type::v1::PREDICATE_PRATAMA) {
  v1::RankingEntry e;
  e.mutable_region()->set_code(code);
  e.mutable_province()->set_code(code.substr(0, 2));
  e.mutable_total()->set_hundredths(total);
  e.set_predicate(p);
  return e;
}

TEST(RankingTest, CompetitionRanksNationallyAndPerProvince) {
  std::vector<v1::RankingEntry> entries = {E("35.72", 74250), E("11.01", 80000), E("35.05", 74250),
                                           E("11.02", 74250), E("35.78", 60000), E("35.01", 60000)};
  RankEntries(&entries);
  std::vector<std::string> order;
  std::vector<int> ranks;
  std::vector<int> province_ranks;
  for (const auto& e : entries) {
    order.push_back(e.region().code());
    ranks.push_back(e.rank());
    province_ranks.push_back(e.province_rank());
  }
  // 800,00; then three at 742,50 listed by code; then two at 600,00.
  EXPECT_THAT(order, ElementsAre("11.01", "11.02", "35.05", "35.72", "35.01", "35.78"));
  EXPECT_THAT(ranks, ElementsAre(1, 2, 2, 2, 5, 5));
  // Aceh: 1, 2. Jawa Timur: 35.05 and 35.72 share 1, then 35.01 and 35.78 share 3.
  EXPECT_THAT(province_ranks, ElementsAre(1, 2, 1, 1, 3, 3));
}

TEST(RankingTest, SummaryAndProvilaOverTheOfficialList) {
  std::vector<v1::RankingEntry> entries = {E("11.01", 95000, type::v1::PREDICATE_KLA),
                                           E("11.02", 40000, type::v1::PREDICATE_NONE),
                                           E("35.72", 74250, type::v1::PREDICATE_NINDYA)};
  RankEntries(&entries);
  v1::RankingSnapshot snap;
  for (auto& e : entries) *snap.add_entries() = e;
  const RankingIndex index(snap);
  RegionList list;
  for (const auto& [code, name] :
       std::vector<std::pair<std::string, std::string>>{{"11.01", "A"}, {"11.02", "B"}, {"35.72", "Kota Blitar"}}) {
    list[code] = RegionInfo{code, name, code.substr(0, 2), code.substr(0, 2) == "11" ? "Aceh" : "Jawa Timur"};
  }
  const Summary s = Summarize(index, list);
  EXPECT_EQ(s.awarded, 2);
  EXPECT_EQ(s.regencies, 3);
  EXPECT_EQ(s.unranked, 0);
  ASSERT_EQ(s.counts.size(), 6u);
  EXPECT_EQ(s.counts[2].predicate(), type::v1::PREDICATE_NINDYA);
  EXPECT_EQ(s.counts[2].count(), 1);
  EXPECT_EQ(s.counts[5].predicate(), type::v1::PREDICATE_NONE);
  EXPECT_EQ(s.counts[5].count(), 1);
  const auto provila = Provila(index, list);
  ASSERT_EQ(provila.size(), 2u);
  EXPECT_FALSE(provila[0].complete());  // 11.02 scored below Pratama
  EXPECT_EQ(provila[0].missing(0).code(), "11.02");
  EXPECT_TRUE(provila[1].complete());
  EXPECT_EQ(index.Find("35.72")->rank(), 2);
  EXPECT_EQ(index.Find("35.99"), nullptr);
}

}  // namespace
}  // namespace kla::scoring
