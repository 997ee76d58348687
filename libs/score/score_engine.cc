#include "libs/score/score_engine.h"

#include <algorithm>
#include <set>

namespace kla::score {

int ShareOf(const registry::v1::ItemRule& item, const submission::v1::AnswerValue* value) {
  if (value == nullptr) return 0;
  using submission::v1::AnswerValue;
  switch (value->kind_case()) {
    case AnswerValue::kBoolean:
      return value->boolean() ? 100 : 0;
    case AnswerValue::kChoice:
      for (const auto& o : item.options()) {
        if (o.id() == value->choice()) return o.share_percent();
      }
      return 0;
    case AnswerValue::kPercentHundredths:
    case AnswerValue::kCount: {
      // Counts are compared in hundredths too (the steps' unit).
      const int64_t v = value->kind_case() == AnswerValue::kCount ? value->count() * 100 : value->percent_hundredths();
      int share = 0;
      for (const auto& step : item.steps()) {
        if (v >= step.min_hundredths()) share = step.share_percent();  // steps ascend
      }
      return share;
    }
    default:
      return 0;  // text items carry no weight
  }
}

int EarnedShare(const registry::v1::ItemRule& item, const ItemAnswer* answer) {
  if (answer == nullptr) return 0;
  if (item.evidence_required() && !answer->has_evidence) return 0;
  return ShareOf(item, &answer->value);
}

AnswerMap FromAnswers(const google::protobuf::RepeatedPtrField<submission::v1::Answer>& answers) {
  AnswerMap out;
  for (const auto& a : answers) {
    if (!a.has_value()) continue;
    out[a.item_id()] = ItemAnswer{a.value(), !a.evidence_ids().empty()};
  }
  return out;
}

type::v1::Predicate PredicateOf(const registry::v1::Rulebook& rulebook, int64_t total_hundredths) {
  type::v1::Predicate best = type::v1::PREDICATE_NONE;
  for (const auto& band : rulebook.bands()) {  // ascending (validated on upload)
    if (total_hundredths >= band.min_score().hundredths()) best = band.predicate();
  }
  return best;
}

namespace {

// Compute, with the items in `full` earning their whole weight.
const ItemAnswer* Find(const AnswerMap& answers, const std::string& id) {
  auto it = answers.find(id);
  return it == answers.end() ? nullptr : &it->second;
}

Score ComputeWith(const registry::v1::Rulebook& rulebook, const AnswerMap& answers, const std::set<std::string>& full) {
  Score out;
  for (const auto& indicator : rulebook.indicators()) {
    IndicatorScore s;
    s.number = indicator.number();
    s.cluster = indicator.cluster();
    s.possible_hundredths = indicator.max_points().hundredths();
    int64_t weighted = 0;  // sum of weight x share: 0..10000
    for (const auto& item : indicator.items()) {
      const ItemAnswer* answer = Find(answers, item.id());
      const int share = full.contains(item.id()) ? 100 : EarnedShare(item, answer);
      weighted += static_cast<int64_t>(item.weight()) * share;
      if (item.weight() > 0 && share < 100) {
        s.unmet_items.push_back(item.id());
        if (answer != nullptr && item.evidence_required() && !answer->has_evidence &&
            ShareOf(item, &answer->value) > 0) {
          s.missing_evidence.push_back(item.id());
        }
      }
    }
    s.score_hundredths = weighted;
    // max_points x weighted / 10000, rounded half up.
    s.earned_hundredths = (s.possible_hundredths * weighted + 5000) / 10000;
    out.total_hundredths += s.earned_hundredths;
    out.clusters[s.cluster] += s.earned_hundredths;
    out.indicators.push_back(std::move(s));
  }
  out.predicate = PredicateOf(rulebook, out.total_hundredths);
  return out;
}

}  // namespace

Score Compute(const registry::v1::Rulebook& rulebook, const AnswerMap& answers) {
  return ComputeWith(rulebook, answers, {});
}

PathToNext PathToNextPredicate(const registry::v1::Rulebook& rulebook, const AnswerMap& answers) {
  PathToNext out;
  const Score now = Compute(rulebook, answers);
  out.current = now.predicate;
  out.total_hundredths = now.total_hundredths;
  out.total_after_hundredths = now.total_hundredths;
  const registry::v1::PredicateBand* next = nullptr;
  for (const auto& band : rulebook.bands()) {  // ascending
    if (band.min_score().hundredths() > now.total_hundredths) {
      next = &band;
      break;
    }
  }
  if (next == nullptr) return out;  // the top band already
  out.next = next->predicate();
  out.target_hundredths = next->min_score().hundredths();

  // Every unmet item with what meeting it alone would add.
  std::vector<PathStep> candidates;
  for (const auto& indicator : rulebook.indicators()) {
    for (const auto& item : indicator.items()) {
      const ItemAnswer* answer = Find(answers, item.id());
      if (item.weight() == 0 || EarnedShare(item, answer) >= 100) continue;
      const int64_t gain = ComputeWith(rulebook, answers, {item.id()}).total_hundredths - now.total_hundredths;
      const bool evidence_only = answer != nullptr && ShareOf(item, &answer->value) >= 100;
      if (gain > 0) candidates.push_back({item.id(), indicator.number(), item.owner_opd(), gain, evidence_only});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const PathStep& a, const PathStep& b) { return a.gain_hundredths > b.gain_hundredths; });
  std::set<std::string> chosen;
  for (const auto& step : candidates) {
    if (out.total_after_hundredths >= out.target_hundredths) break;
    chosen.insert(step.item_id);
    out.steps.push_back(step);
    out.total_after_hundredths = ComputeWith(rulebook, answers, chosen).total_hundredths;
  }
  out.reachable = out.total_after_hundredths >= out.target_hundredths;
  if (!out.reachable || out.steps.empty()) return out;
  // Fewest items found; now the least surplus: the last item is swapped
  // for the smallest gain that still reaches the band (e.g. attaching one
  // missing document instead of raising a big indicator).
  chosen.erase(out.steps.back().item_id);
  const PathStep* best = &out.steps.back();
  int64_t best_total = out.total_after_hundredths;
  for (const auto& step : candidates) {
    if (chosen.contains(step.item_id) || step.gain_hundredths >= best->gain_hundredths) continue;
    std::set<std::string> with = chosen;
    with.insert(step.item_id);
    const int64_t total = ComputeWith(rulebook, answers, with).total_hundredths;
    if (total >= out.target_hundredths) {
      best = &step;
      best_total = total;
    }
  }
  const PathStep last = *best;
  out.steps.back() = last;
  out.total_after_hundredths = best_total;
  std::stable_sort(out.steps.begin(), out.steps.end(),
                   [](const PathStep& a, const PathStep& b) { return a.gain_hundredths > b.gain_hundredths; });
  return out;
}

}  // namespace kla::score
