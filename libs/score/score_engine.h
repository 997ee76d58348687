#pragma once

#include <map>
#include <string>
#include <vector>

#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission.pb.h"

namespace kla::score {

// Scores of one set of answers under one rulebook, exact in hundredths of a
// point (never floating point).
//
// The rulebook's model: an answer earns a share (0-100 %) of its item's
// weight; an indicator's weights add up to 100, so an indicator scores
// 0-100; it contributes that fraction of its max_points; the total is the
// sum (0-1000). An indicator's contribution is rounded half up to the
// hundredth once, from exact integers, so a total never depends on the
// order of addition.
// One answer as the engine sees it: its value and whether evidence (data
// dukung) is attached. An item whose rulebook requires evidence earns
// nothing without it.
struct ItemAnswer {
  submission::v1::AnswerValue value;
  bool has_evidence = false;
};
using AnswerMap = std::map<std::string, ItemAnswer>;

// The engine's view of stored answers (evidence: any attached id).
AnswerMap FromAnswers(const google::protobuf::RepeatedPtrField<submission::v1::Answer>& answers);

struct IndicatorScore {
  int number = 0;
  type::v1::Cluster cluster = type::v1::CLUSTER_UNSPECIFIED;
  int64_t score_hundredths = 0;   // 0-10000: the indicator's 0-100 score
  int64_t earned_hundredths = 0;  // points contributed to the total
  int64_t possible_hundredths = 0;
  std::vector<std::string> unmet_items;  // items earning less than their whole weight
  // Unmet items whose answer would earn (part of) its weight but lacks the
  // evidence the rulebook requires.
  std::vector<std::string> missing_evidence;
};

struct Score {
  int64_t total_hundredths = 0;
  std::vector<IndicatorScore> indicators;         // rulebook order
  std::map<type::v1::Cluster, int64_t> clusters;  // earned hundredths per cluster
  type::v1::Predicate predicate = type::v1::PREDICATE_NONE;
};

// The share (0-100) a value earns of its item's weight; 0 when unanswered.
// Evidence is not considered (see EarnedShare).
int ShareOf(const registry::v1::ItemRule& item, const submission::v1::AnswerValue* value);

// The share an answer earns: ShareOf, or 0 when the rulebook requires
// evidence and none is attached.
int EarnedShare(const registry::v1::ItemRule& item, const ItemAnswer* answer);

// Scores `answers` (by item id; missing items earn nothing).
Score Compute(const registry::v1::Rulebook& rulebook, const AnswerMap& answers);

// The predicate of a total: the highest band whose minimum it reaches.
type::v1::Predicate PredicateOf(const registry::v1::Rulebook& rulebook, int64_t total_hundredths);

// One unmet item on the way to the next predicate.
struct PathStep {
  std::string item_id;
  int indicator = 0;
  std::string owner_opd;        // who answers it (the rulebook's owning agency)
  int64_t gain_hundredths = 0;  // what meeting it alone adds to the total
  // The answer already earns its whole weight: only the required evidence
  // is missing.
  bool evidence_only = false;
};

// What stands between a region and the next predicate band.
struct PathToNext {
  type::v1::Predicate current = type::v1::PREDICATE_NONE;
  type::v1::Predicate next = type::v1::PREDICATE_NONE;  // NONE: already in the top band
  int64_t total_hundredths = 0;
  int64_t target_hundredths = 0;       // the next band's minimum
  std::vector<PathStep> steps;         // the fewest items that reach it, largest gain first
  int64_t total_after_hundredths = 0;  // exact total with those items fully met
  bool reachable = true;               // false: even every unmet item would not reach it
};

// The smallest set of unmet items whose full marks lift `answers` into the
// next band. Items are taken by largest gain (ties: rulebook order), which
// gives the fewest items; then the last one is swapped for the smallest
// gain that still reaches the band, so the path asks for no more points
// than needed. The total after is recomputed exactly (rounding is per
// indicator, so gains in one indicator need not add up to the cent).
PathToNext PathToNextPredicate(const registry::v1::Rulebook& rulebook, const AnswerMap& answers);

}  // namespace kla::score
