#include "tools/simulate/plan.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "libs/testing/process.h"

namespace kla::simulate {
namespace {

registry::v1::Rulebook Rulebook() {
  registry::v1::Rulebook r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto"), &r));
  return r;
}

std::vector<registry::v1::Region> Regencies() {
  std::vector<registry::v1::Region> out;
  std::istringstream in(testing::SourceFile("data/regions/regencies.csv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string code, province, name;
    std::getline(fields, code, ',');
    std::getline(fields, province, ',');
    std::getline(fields, name);
    registry::v1::Region r;
    r.set_code(code);
    r.set_name(name);
    r.mutable_province()->set_code(province);
    out.push_back(r);
  }
  return out;
}

// Item id -> whether it requires evidence.
std::map<std::string, bool> Items(const registry::v1::Rulebook& rulebook) {
  std::map<std::string, bool> out;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) out[item.id()] = item.evidence_required();
  }
  return out;
}

class PlanTest : public ::testing::Test {
 protected:
  registry::v1::Rulebook rulebook_ = Rulebook();
  std::vector<registry::v1::Region> regencies_ = Regencies();
};

TEST_F(PlanTest, FinalPredicatesAreThe2025NationalResult) {
  ASSERT_EQ(regencies_.size(), 514u);
  const NationalPlan plan = MakePlan(rulebook_, regencies_, 2025);
  ASSERT_EQ(plan.regions.size(), 514u);
  std::map<type::v1::Predicate, int> counts;
  int not_submitted = 0;
  for (const RegionPlan& r : plan.regions) {
    if (!r.submits) {
      ++not_submitted;
      continue;
    }
    const score::Score s = score::Compute(rulebook_, FinalAnswers(r));
    EXPECT_EQ(s.total_hundredths, r.final_total) << r.code;
    EXPECT_EQ(s.predicate, r.target) << r.code << " " << s.total_hundredths;
    ++counts[s.predicate];
    // Every item answered by those who submit.
    EXPECT_EQ(r.claimed.size(), 77u) << r.code;
  }
  EXPECT_EQ(counts[type::v1::PREDICATE_UTAMA], 22);
  EXPECT_EQ(counts[type::v1::PREDICATE_NINDYA], 69);
  EXPECT_EQ(counts[type::v1::PREDICATE_MADYA], 125);
  EXPECT_EQ(counts[type::v1::PREDICATE_PRATAMA], 139);
  EXPECT_EQ(counts[type::v1::PREDICATE_KLA], 0);
  EXPECT_EQ(not_submitted, 29);
  EXPECT_EQ(counts[type::v1::PREDICATE_NONE], 514 - 355 - 29);
}

TEST_F(PlanTest, EveryScenarioOccursAndTheyAgreeWithTheAnswers) {
  const NationalPlan plan = MakePlan(rulebook_, regencies_, 2025);
  int returned = 0, accepted = 0, rejected = 0, unobjected = 0;
  for (const RegionPlan& r : plan.regions) {
    if (r.unreadable_evidence) {
      ++returned;
      EXPECT_TRUE(r.claimed.at(*r.unreadable_evidence).has_evidence);
    }
    if (r.submits) {
      for (const auto& [id, answer] : r.claimed) {
        // Submitting needs every evidence-required item's data dukung.
        EXPECT_EQ(answer.has_evidence, Items(rulebook_).at(id)) << r.code << " " << id;
      }
    }
    if (!r.adjustment) continue;
    const auto& a = *r.adjustment;
    if (a.accepted) {
      ++accepted;
      EXPECT_TRUE(a.objected);
    } else if (a.objected) {
      ++rejected;
    } else {
      ++unobjected;
    }
    // An objection needs the item's evidence on file.
    if (a.objected) {
      EXPECT_TRUE(r.claimed.at(a.item_id).has_evidence) << r.code;
    }
  }
  EXPECT_GT(returned, 10);
  EXPECT_GT(accepted, 3);
  EXPECT_GT(rejected, 3);
  EXPECT_GT(unobjected, 3);
}

TEST_F(PlanTest, TheSameSeedMakesTheSamePlanAnotherSeedAnother) {
  const NationalPlan a = MakePlan(rulebook_, regencies_, 7);
  const NationalPlan b = MakePlan(rulebook_, regencies_, 7);
  const NationalPlan c = MakePlan(rulebook_, regencies_, 8);
  int differ = 0;
  for (size_t i = 0; i < a.regions.size(); ++i) {
    EXPECT_EQ(a.regions[i].final_total, b.regions[i].final_total);
    EXPECT_EQ(a.regions[i].target, b.regions[i].target);
    differ += a.regions[i].final_total != c.regions[i].final_total ? 1 : 0;
  }
  EXPECT_GT(differ, 400);
}

TEST_F(PlanTest, SomeProvincesHaveEveryRegionAwarded) {
  const NationalPlan plan = MakePlan(rulebook_, regencies_, 2025);
  std::map<std::string, bool> all_awarded;
  for (const RegionPlan& r : plan.regions) {
    auto [it, fresh] = all_awarded.emplace(r.province_code, true);
    it->second = it->second && r.target != type::v1::PREDICATE_NONE;
  }
  int provila = 0;
  for (const auto& [province, yes] : all_awarded) provila += yes ? 1 : 0;
  EXPECT_GE(provila, 8);
  EXPECT_LE(provila, 18);  // 13 in 2025
}

}  // namespace
}  // namespace kla::simulate
