#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/registry/domain/region.h"

namespace kla::registry {

// Which regions a list or search covers.
struct RegionFilter {
  std::string province_code;         // empty: any province
  std::vector<RegionLevel> levels;   // empty: any level
  std::string name_contains_folded;  // empty: any name (already folded)
};

// The outcome of an import, also what a repeated request_id returns.
struct ImportOutcome {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  std::vector<std::string> missing_codes;
  int province_count = 0;
  int regency_count = 0;
};

// Where regions live. Implemented on SQL (SqlRegionStore) and in tests by a
// fake; the domain does not know which.
class RegionStore {
 public:
  virtual ~RegionStore() = default;
  // NOT_FOUND-free lookup: nullopt when absent.
  virtual absl::StatusOr<std::optional<Region>> Get(absl::string_view code) = 0;
  // Regions matching `filter` with code > `after_code`, ordered by code.
  virtual absl::StatusOr<std::vector<Region>> List(const RegionFilter& filter, absl::string_view after_code,
                                                   int limit) = 0;
  virtual absl::StatusOr<int> Count(const RegionFilter& filter) = 0;
  // Stores the regions in one transaction (insert or update by code) and
  // records the outcome under `request_id`; when `request_id` was seen
  // before, stores nothing and returns the recorded outcome. With
  // `dry_run`, computes the outcome and stores nothing.
  virtual absl::StatusOr<ImportOutcome> Import(absl::string_view request_id, const std::vector<Region>& regions,
                                               bool dry_run) = 0;
};

}  // namespace kla::registry
