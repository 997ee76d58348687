#include "tools/simulate/plan.h"

#include <algorithm>
#include <tuple>

namespace kla::simulate {
namespace {

using registry::v1::ItemRule;
using submission::v1::AnswerValue;

// SplitMix64: small, fast, and the same sequence everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  int64_t Below(int64_t n) { return n <= 0 ? 0 : static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
  bool PerMille(int p) { return Below(1000) < p; }
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[static_cast<size_t>(Below(i))]);
  }

 private:
  uint64_t state_;
};

enum class Level { kFull, kPartial, kZero };

// A value of `item` earning its whole weight, part of it, or nothing.
AnswerValue ValueAt(const ItemRule& item, Level level, Rng& rng) {
  AnswerValue v;
  switch (item.type()) {
    case registry::v1::ITEM_TYPE_BOOLEAN:
      v.set_boolean(level == Level::kFull);
      break;
    case registry::v1::ITEM_TYPE_CHOICE: {
      std::vector<const registry::v1::ChoiceOption*> fit;
      for (const auto& o : item.options()) {
        const bool full = o.share_percent() == 100;
        const bool zero = o.share_percent() == 0;
        if ((level == Level::kFull && full) || (level == Level::kZero && zero) ||
            (level == Level::kPartial && !full && !zero)) {
          fit.push_back(&o);
        }
      }
      if (fit.empty()) {  // no such option: the lowest one
        fit.push_back(
            &*std::min_element(item.options().begin(), item.options().end(),
                               [](const auto& a, const auto& b) { return a.share_percent() < b.share_percent(); }));
      }
      v.set_choice(fit[static_cast<size_t>(rng.Below(static_cast<int64_t>(fit.size())))]->id());
      break;
    }
    case registry::v1::ITEM_TYPE_PERCENT:
    case registry::v1::ITEM_TYPE_COUNT: {
      const bool count = item.type() == registry::v1::ITEM_TYPE_COUNT;
      const auto& steps = item.steps();
      int64_t hundredths = 0;
      if (steps.empty()) {
        hundredths = 0;
      } else if (level == Level::kFull) {
        hundredths = steps.rbegin()->min_hundredths() + (count ? rng.Below(5) * 100 : 0);
      } else if (level == Level::kZero || steps.size() < 2) {
        hundredths = std::max<int64_t>(0, steps.begin()->min_hundredths() - 100 - rng.Below(2) * 100);
      } else {
        // Between a lower step and the last one.
        const int s = static_cast<int>(rng.Below(steps.size() - 1));
        hundredths = steps[s].min_hundredths();
      }
      if (count) {
        v.set_count((hundredths + 99) / 100);
      } else {
        v.set_percent_hundredths(std::min<int64_t>(10000, hundredths));
      }
      break;
    }
    default:
      v.set_text("Tersedia; lihat data dukung.");
  }
  return v;
}

std::vector<const ItemRule*> Items(const registry::v1::Rulebook& rulebook) {
  std::vector<const ItemRule*> out;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) out.push_back(&item);
  }
  return out;
}

// [lowest, highest] total of a predicate in hundredths.
std::pair<int64_t, int64_t> Band(const registry::v1::Rulebook& rulebook, type::v1::Predicate p) {
  if (p == type::v1::PREDICATE_NONE) return {30000, 49999};
  std::vector<std::pair<int64_t, type::v1::Predicate>> bands;
  for (const auto& b : rulebook.bands()) bands.emplace_back(b.min_score().hundredths(), b.predicate());
  std::sort(bands.begin(), bands.end());
  for (size_t i = 0; i < bands.size(); ++i) {
    if (bands[i].second == p) return {bands[i].first, i + 1 < bands.size() ? bands[i + 1].first - 1 : 100000};
  }
  return {0, 0};
}

// Final answers for a total in [lo, hi]: everything met, then items
// lowered in random order while the total stays at or above `lo`, until it
// is at or below a random target in the band.
score::AnswerMap Shaped(const registry::v1::Rulebook& rulebook, const std::vector<const ItemRule*>& items, int64_t lo,
                        int64_t hi, Rng& rng) {
  for (int attempt = 0;; ++attempt) {
    score::AnswerMap answers;
    for (const ItemRule* item : items) {
      answers[item->id()] = score::ItemAnswer{ValueAt(*item, Level::kFull, rng), item->evidence_required()};
    }
    const int64_t target = lo + rng.Below(hi - lo + 1);
    std::vector<const ItemRule*> order;
    for (const ItemRule* item : items) {
      if (item->weight() > 0) order.push_back(item);
    }
    rng.Shuffle(&order);
    int64_t total = score::Compute(rulebook, answers).total_hundredths;
    for (const ItemRule* item : order) {
      if (total <= target) break;
      // A submission needs the data dukung of every item that asks for
      // it, whatever the answer.
      const Level level = rng.PerMille(500) ? Level::kZero : Level::kPartial;
      const score::ItemAnswer lowered{ValueAt(*item, level, rng), item->evidence_required()};
      score::AnswerMap trial = answers;
      trial[item->id()] = lowered;
      const int64_t t = score::Compute(rulebook, trial).total_hundredths;
      if (t >= lo) {
        answers = std::move(trial);
        total = t;
      }
    }
    if ((total >= lo && total <= hi) || attempt >= 50) return answers;
  }
}

}  // namespace

score::AnswerMap FinalAnswers(const RegionPlan& plan) {
  score::AnswerMap out = plan.claimed;
  if (plan.adjustment && !plan.adjustment->accepted) out[plan.adjustment->item_id].value = plan.adjustment->value;
  return out;
}

// Who aims at which predicate: the best-prepared regions (the province's
// maturity and their own effort) take the awards the shape asks for.
std::vector<RegionPlan> Targets(const std::vector<registry::v1::Region>& regencies, const Shape& shape, Rng& rng) {
  std::vector<RegionPlan> regions;
  // Quality: the province's maturity and the region's own effort.
  std::vector<registry::v1::Region> sorted = regencies;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.code() < b.code(); });
  std::map<std::string, int64_t> maturity;
  for (const auto& r : sorted) {
    if (!maturity.contains(r.province().code())) maturity[r.province().code()] = rng.Below(1000);
  }
  std::vector<std::tuple<int64_t, std::string, const registry::v1::Region*>> ranked;
  ranked.reserve(sorted.size());
  for (const auto& r : sorted) {
    ranked.emplace_back(-(6 * maturity[r.province().code()] + 4 * rng.Below(1000)), r.code(), &r);
  }
  std::sort(ranked.begin(), ranked.end());

  const std::vector<std::pair<type::v1::Predicate, int>> tiers = {
      {type::v1::PREDICATE_KLA, shape.kla},         {type::v1::PREDICATE_UTAMA, shape.utama},
      {type::v1::PREDICATE_NINDYA, shape.nindya},   {type::v1::PREDICATE_MADYA, shape.madya},
      {type::v1::PREDICATE_PRATAMA, shape.pratama},
  };
  const int awarded = shape.kla + shape.utama + shape.nindya + shape.madya + shape.pratama;
  const int below = std::max(0, static_cast<int>(ranked.size()) - awarded - shape.not_submitted);
  size_t next = 0;
  auto take = [&](type::v1::Predicate p, int n, bool submits) {
    for (int i = 0; i < n && next < ranked.size(); ++i, ++next) {
      const registry::v1::Region& r = *std::get<2>(ranked[next]);
      RegionPlan rp;
      rp.code = r.code();
      rp.name = r.name();
      rp.province_code = r.province().code();
      rp.target = p;
      rp.submits = submits;
      regions.push_back(std::move(rp));
    }
  };
  for (const auto& [p, n] : tiers) take(p, n, true);
  take(type::v1::PREDICATE_NONE, below, true);
  take(type::v1::PREDICATE_NONE, static_cast<int>(ranked.size() - next), false);
  std::sort(regions.begin(), regions.end(), [](const auto& a, const auto& b) { return a.code < b.code; });

  return regions;
}

// What one region answers, and what its review and objection will change.
void PlanAnswers(const registry::v1::Rulebook& rulebook, const std::vector<const ItemRule*>& items,
                 const std::map<std::string, const ItemRule*>& item_by_id, const Shape& shape, Rng& rng,
                 RegionPlan& rp) {
  if (!rp.submits) {
    // A draft left half done.
    const int64_t share = 200 + rng.Below(500);
    for (const ItemRule* item : items) {
      if (!rng.PerMille(static_cast<int>(share))) continue;
      rp.claimed[item->id()] = score::ItemAnswer{ValueAt(*item, Level::kFull, rng), false};
    }
    return;
  }
  const auto [lo, hi] = Band(rulebook, rp.target);
  score::AnswerMap final_answers = Shaped(rulebook, items, lo, hi, rng);
  rp.claimed = final_answers;
  std::vector<std::string> met_with_evidence;  // evidence-required, whole weight, evidence on file
  std::vector<std::string> lowered;            // value below the whole weight
  for (const ItemRule* item : items) {
    const score::ItemAnswer& a = final_answers[item->id()];
    const int share = score::ShareOf(*item, &a.value);
    if (item->evidence_required() && share == 100) met_with_evidence.push_back(item->id());
    if (item->weight() > 0 && share < 100) lowered.push_back(item->id());
  }
  if (rng.PerMille(shape.returned_per_mille) && !met_with_evidence.empty()) {
    rp.unreadable_evidence = met_with_evidence[static_cast<size_t>(rng.Below(met_with_evidence.size()))];
  }
  if (rng.PerMille(shape.adjusted_per_mille)) {
    Adjustment adj;
    adj.objected = rng.PerMille(shape.objecting_per_mille);
    adj.accepted = adj.objected && rng.PerMille(500);
    if (adj.accepted && !met_with_evidence.empty()) {
      // The reviewer marks a met item down; the objection restores it.
      adj.item_id = met_with_evidence[static_cast<size_t>(rng.Below(met_with_evidence.size()))];
      adj.value = ValueAt(*item_by_id.at(adj.item_id), Level::kZero, rng);
      rp.adjustment = adj;
    } else if (!adj.accepted && !lowered.empty()) {
      // The region claimed more than it has; the reviewer corrects it.
      adj.item_id = lowered[static_cast<size_t>(rng.Below(lowered.size()))];
      const ItemRule& item = *item_by_id.at(adj.item_id);
      adj.value = final_answers[adj.item_id].value;
      rp.claimed[adj.item_id].value = ValueAt(item, Level::kFull, rng);
      rp.adjustment = adj;
    }
    if (rp.adjustment && rp.unreadable_evidence == rp.adjustment->item_id) rp.unreadable_evidence.reset();
  }
  rp.final_total = score::Compute(rulebook, FinalAnswers(rp)).total_hundredths;
}

NationalPlan MakePlan(const registry::v1::Rulebook& rulebook, const std::vector<registry::v1::Region>& regencies,
                      uint64_t seed, const Shape& shape) {
  Rng rng(seed);
  NationalPlan plan;
  plan.seed = seed;
  const std::vector<const ItemRule*> items = Items(rulebook);
  std::map<std::string, const ItemRule*> item_by_id;
  for (const ItemRule* item : items) item_by_id[item->id()] = item;
  plan.regions = Targets(regencies, shape, rng);
  for (RegionPlan& rp : plan.regions) PlanAnswers(rulebook, items, item_by_id, shape, rng, rp);
  return plan;
}

}  // namespace kla::simulate
