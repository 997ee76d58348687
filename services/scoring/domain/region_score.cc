#include "services/scoring/domain/region_score.h"

#include <algorithm>
#include <map>

namespace kla::scoring {
namespace {

type::v1::Points P(int64_t hundredths) {
  type::v1::Points p;
  p.set_hundredths(hundredths);
  return p;
}

void SetRegion(const RegionInfo& region, v1::RegionScore* out) {
  out->mutable_region()->set_code(region.code);
  out->mutable_region()->set_name(region.name);
  out->mutable_province()->set_code(region.province_code);
  out->mutable_province()->set_name(region.province_name);
}

std::map<std::string, const registry::v1::ItemRule*> ItemsById(const registry::v1::Rulebook& rulebook) {
  std::map<std::string, const registry::v1::ItemRule*> out;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) out[item.id()] = &item;
  }
  return out;
}

}  // namespace

v1::RegionScore ScoreAnswers(const registry::v1::Rulebook& rulebook, const score::AnswerMap& answers,
                             const RegionInfo& region) {
  const score::Score s = score::Compute(rulebook, answers);
  v1::RegionScore out;
  SetRegion(region, &out);
  out.set_rulebook_version(rulebook.version());
  out.set_run_id("dry-run");
  *out.mutable_total() = P(s.total_hundredths);
  out.set_predicate(s.predicate);
  for (const auto& c : rulebook.clusters()) {
    auto* cs = out.add_clusters();
    cs->set_cluster(c.cluster());
    cs->set_name(c.name());
    auto it = s.clusters.find(c.cluster());
    *cs->mutable_earned() = P(it == s.clusters.end() ? 0 : it->second);
    *cs->mutable_possible() = c.max_points();
  }
  for (int i = 0; i < rulebook.indicators_size() && i < static_cast<int>(s.indicators.size()); ++i) {
    const auto& rule = rulebook.indicators(i);
    const score::IndicatorScore& is = s.indicators[i];
    auto* ind = out.add_indicators();
    ind->set_number(rule.number());
    ind->set_name(rule.name());
    ind->set_cluster(rule.cluster());
    *ind->mutable_score() = P(is.score_hundredths);
    *ind->mutable_earned() = P(is.earned_hundredths);
    *ind->mutable_possible() = P(is.possible_hundredths);
    for (const auto& item : rule.items()) {
      if (std::find(is.unmet_items.begin(), is.unmet_items.end(), item.id()) == is.unmet_items.end()) continue;
      auto it = answers.find(item.id());
      const score::ItemAnswer* answer = it == answers.end() ? nullptr : &it->second;
      auto* u = ind->add_unmet_items();
      u->set_item_id(item.id());
      u->set_question(item.question());
      u->set_owner_opd(item.owner_opd());
      u->set_weight(item.weight());
      u->set_earned_share_percent(score::EarnedShare(item, answer));
      u->set_unanswered(answer == nullptr);
      u->set_evidence_missing(std::find(is.missing_evidence.begin(), is.missing_evidence.end(), item.id()) !=
                              is.missing_evidence.end());
    }
  }
  return out;
}

v1::RegionScore ScoreStage(const registry::v1::Rulebook& rulebook, const submission::v1::StageAnswers& answers,
                           const RegionInfo& region, const std::string& run_id) {
  v1::RegionScore out = ScoreAnswers(rulebook, score::FromAnswers(answers.answers()), region);
  out.set_cycle_id(answers.cycle_id());
  out.set_stage(answers.stage());
  out.set_revision(answers.revision());
  out.set_run_id(run_id);
  return out;
}

v1::NextLevelPath PathFor(const registry::v1::Rulebook& rulebook, const score::AnswerMap& answers,
                          const RegionInfo& region) {
  const score::PathToNext p = score::PathToNextPredicate(rulebook, answers);
  const auto items = ItemsById(rulebook);
  v1::NextLevelPath out;
  out.mutable_region()->set_code(region.code);
  out.mutable_region()->set_name(region.name);
  *out.mutable_total() = P(p.total_hundredths);
  out.set_current(p.current);
  out.set_next(p.next == type::v1::PREDICATE_NONE ? type::v1::PREDICATE_UNSPECIFIED : p.next);
  *out.mutable_target() = P(p.target_hundredths);
  *out.mutable_total_after() = P(p.total_after_hundredths);
  out.set_reachable(p.reachable);
  // Agencies in the order of their largest item (steps are largest first).
  std::map<std::string, v1::AgencyPlan*> by_agency;
  for (const score::PathStep& step : p.steps) {
    v1::AgencyPlan*& plan = by_agency[step.owner_opd];
    if (plan == nullptr) {
      plan = out.add_agencies();
      plan->set_owner_opd(step.owner_opd);
    }
    auto* item = plan->add_items();
    item->set_item_id(step.item_id);
    item->set_indicator(step.indicator);
    if (auto it = items.find(step.item_id); it != items.end()) item->set_question(it->second->question());
    *item->mutable_gain() = P(step.gain_hundredths);
    item->set_evidence_only(step.evidence_only);
    plan->mutable_gain()->set_hundredths(plan->gain().hundredths() + step.gain_hundredths);
  }
  return out;
}

v1::RegionScore Basic(v1::RegionScore score) {
  score.clear_indicators();
  return score;
}

}  // namespace kla::scoring
