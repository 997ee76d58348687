#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kla/registry/v1/region.pb.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/score/score_engine.h"

namespace kla::simulate {

// How many kabupaten/kota end in each predicate (and how many never
// submit). The default is the 2025 national result: 22 Utama, 69 Nindya,
// 125 Madya, 139 Pratama (355 awarded); of the other 159, 29 never submit.
struct Shape {
  int kla = 0;
  int utama = 22;
  int nindya = 69;
  int madya = 125;
  int pratama = 139;
  int not_submitted = 29;  // the rest score below 500
  // Shares of the submitting regions (per mille) that meet each scenario.
  int returned_per_mille = 80;    // provincial verification returns one item
  int adjusted_per_mille = 90;    // central review adjusts one answer
  int objecting_per_mille = 600;  // of the adjusted, how many object
};

// What central review changes, and what the objection (sanggah) makes of it.
struct Adjustment {
  std::string item_id;
  submission::v1::AnswerValue value;  // the reviewer's value
  bool objected = false;
  // Accepted: the region's claimed value is restored; rejected or not
  // objected: the reviewer's value stands.
  bool accepted = false;
};

// One kabupaten/kota's part in the cycle, decided up front.
struct RegionPlan {
  std::string code;
  std::string name;
  std::string province_code;
  type::v1::Predicate target = type::v1::PREDICATE_NONE;
  bool submits = true;
  // The answers the region saves, by item id (every item for those who
  // submit; part of them for those who do not), with whether it uploads
  // evidence for the item.
  score::AnswerMap claimed;
  // Evidence-required item whose first file is unreadable: provincial
  // verification returns it, the region uploads it again and resubmits.
  std::optional<std::string> unreadable_evidence;
  std::optional<Adjustment> adjustment;
  // The total after verification and objection (hundredths), as scored by
  // libs/score: what the final ranking must show.
  int64_t final_total = 0;
};

struct NationalPlan {
  uint64_t seed = 0;
  std::vector<RegionPlan> regions;  // by region code
};

// The plan of a national cycle: deterministic for a seed (its own
// generator, no std::distribution, so the same on every machine). Regions
// of the same province resemble each other (a province's maturity plus
// noise), so some provinces have every kabupaten/kota awarded.
NationalPlan MakePlan(const registry::v1::Rulebook& rulebook, const std::vector<registry::v1::Region>& regencies,
                      uint64_t seed, const Shape& shape = {});

// The answers that count after verification and objection.
score::AnswerMap FinalAnswers(const RegionPlan& plan);

}  // namespace kla::simulate
