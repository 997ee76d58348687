#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kla/scoring/v1/scoring.pb.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// Orders `entries` and gives ranks: by total, highest first; equal totals
// share a competition rank (1, 2, 2, 4) and are listed by region code.
// Province ranks likewise within each province.
void RankEntries(std::vector<v1::RankingEntry>* entries);

// A snapshot with lookups, built once and shared by readers (immutable).
class RankingIndex {
 public:
  explicit RankingIndex(v1::RankingSnapshot snapshot);
  const v1::RankingSnapshot& snapshot() const { return snapshot_; }
  const std::string& id() const { return snapshot_.snapshot_id(); }
  // nullptr when the region is not ranked.
  const v1::RankingEntry* Find(const std::string& region_code) const;
  // Positions in snapshot().entries() of one province's entries, in order.
  const std::vector<int>& Province(const std::string& province_code) const;

 private:
  v1::RankingSnapshot snapshot_;
  std::map<std::string, int> by_region_;
  std::map<std::string, std::vector<int>> by_province_;
};

// Counts per predicate, Pratama..KLA then NONE, zeros included.
std::vector<v1::PredicateCount> CountPredicates(const std::vector<const v1::RankingEntry*>& entries);

// The national summary of a ranking over the official list.
struct Summary {
  std::vector<v1::PredicateCount> counts;
  int awarded = 0;
  int regencies = 0;
  int unranked = 0;
  std::vector<v1::ProvinceSummary> provinces;  // by code
};
Summary Summarize(const RankingIndex& ranking, const RegionList& regencies);

// Provila: per province, whether every kabupaten/kota holds a predicate.
std::vector<v1::ProvinceProvila> Provila(const RankingIndex& ranking, const RegionList& regencies);

// Whether a predicate is an award (Pratama or higher).
bool Awarded(type::v1::Predicate p);

}  // namespace kla::scoring
