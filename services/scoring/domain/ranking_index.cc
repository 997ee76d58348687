#include "services/scoring/domain/ranking_index.h"

#include <algorithm>

namespace kla::scoring {

bool Awarded(type::v1::Predicate p) { return p >= type::v1::PREDICATE_PRATAMA; }

void RankEntries(std::vector<v1::RankingEntry>* entries) {
  std::sort(entries->begin(), entries->end(), [](const v1::RankingEntry& a, const v1::RankingEntry& b) {
    if (a.total().hundredths() != b.total().hundredths()) return a.total().hundredths() > b.total().hundredths();
    return a.region().code() < b.region().code();
  });
  std::map<std::string, std::pair<int, int64_t>> province_last;  // province -> (count so far, last total)
  std::map<std::string, int> province_rank;
  for (size_t i = 0; i < entries->size(); ++i) {
    v1::RankingEntry& e = (*entries)[i];
    const int64_t total = e.total().hundredths();
    const bool tie = i > 0 && (*entries)[i - 1].total().hundredths() == total;
    e.set_rank(tie ? (*entries)[i - 1].rank() : static_cast<int>(i) + 1);
    auto& [seen, last] = province_last[e.province().code()];
    int& prank = province_rank[e.province().code()];
    prank = (seen > 0 && last == total) ? prank : seen + 1;
    e.set_province_rank(prank);
    ++seen;
    last = total;
  }
}

RankingIndex::RankingIndex(v1::RankingSnapshot snapshot) : snapshot_(std::move(snapshot)) {
  for (int i = 0; i < snapshot_.entries_size(); ++i) {
    const auto& e = snapshot_.entries(i);
    by_region_[e.region().code()] = i;
    by_province_[e.province().code()].push_back(i);
  }
}

const v1::RankingEntry* RankingIndex::Find(const std::string& region_code) const {
  auto it = by_region_.find(region_code);
  return it == by_region_.end() ? nullptr : &snapshot_.entries(it->second);
}

const std::vector<int>& RankingIndex::Province(const std::string& province_code) const {
  static const std::vector<int> kNone;
  auto it = by_province_.find(province_code);
  return it == by_province_.end() ? kNone : it->second;
}

std::vector<v1::PredicateCount> CountPredicates(const std::vector<const v1::RankingEntry*>& entries) {
  std::map<type::v1::Predicate, int> n;
  for (const auto* e : entries) ++n[e->predicate()];
  std::vector<v1::PredicateCount> out;
  for (type::v1::Predicate p : {type::v1::PREDICATE_PRATAMA, type::v1::PREDICATE_MADYA, type::v1::PREDICATE_NINDYA,
                                type::v1::PREDICATE_UTAMA, type::v1::PREDICATE_KLA, type::v1::PREDICATE_NONE}) {
    v1::PredicateCount c;
    c.set_predicate(p);
    c.set_count(n[p]);
    out.push_back(c);
  }
  return out;
}

namespace {

// The official list grouped by province, with the province's name.
std::map<std::string, std::vector<const RegionInfo*>> ByProvince(const RegionList& regencies) {
  std::map<std::string, std::vector<const RegionInfo*>> out;
  for (const auto& [code, r] : regencies) out[r.province_code].push_back(&r);
  return out;
}

}  // namespace

Summary Summarize(const RankingIndex& ranking, const RegionList& regencies) {
  Summary out;
  std::vector<const v1::RankingEntry*> all;
  for (const auto& e : ranking.snapshot().entries()) all.push_back(&e);
  out.counts = CountPredicates(all);
  for (const auto* e : all) out.awarded += Awarded(e->predicate()) ? 1 : 0;
  out.regencies = static_cast<int>(regencies.size());
  for (const auto& [province, members] : ByProvince(regencies)) {
    v1::ProvinceSummary ps;
    ps.mutable_province()->set_code(province);
    ps.mutable_province()->set_name(members.front()->province_name);
    ps.set_regency_count(static_cast<int>(members.size()));
    std::vector<const v1::RankingEntry*> ranked;
    for (const RegionInfo* r : members) {
      if (const auto* e = ranking.Find(r->code)) ranked.push_back(e);
    }
    for (auto& c : CountPredicates(ranked)) *ps.add_counts() = std::move(c);
    ps.set_unranked(ps.regency_count() - static_cast<int>(ranked.size()));
    out.unranked += ps.unranked();
    out.provinces.push_back(std::move(ps));
  }
  return out;
}

std::vector<v1::ProvinceProvila> Provila(const RankingIndex& ranking, const RegionList& regencies) {
  std::vector<v1::ProvinceProvila> out;
  for (const auto& [province, members] : ByProvince(regencies)) {
    v1::ProvinceProvila p;
    p.mutable_province()->set_code(province);
    p.mutable_province()->set_name(members.front()->province_name);
    p.set_regency_count(static_cast<int>(members.size()));
    for (const RegionInfo* r : members) {
      const auto* e = ranking.Find(r->code);
      if (e != nullptr && Awarded(e->predicate())) {
        p.set_awarded_count(p.awarded_count() + 1);
      } else {
        auto* m = p.add_missing();
        m->set_code(r->code);
        m->set_name(r->name);
      }
    }
    p.set_complete(p.missing().empty());
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace kla::scoring
