#pragma once

#include "libs/common/clock.h"
#include "libs/storage/database.h"
#include "services/registry/domain/region_store.h"

namespace kla::registry {

// RegionStore on the shared SQL layer (SQLite or PostgreSQL).
class SqlRegionStore final : public RegionStore {
 public:
  SqlRegionStore(storage::Database* db, const Clock* clock) : db_(db), clock_(clock) {}

  absl::StatusOr<std::optional<Region>> Get(absl::string_view code) override;
  absl::StatusOr<std::vector<Region>> List(const RegionFilter& filter, absl::string_view after_code,
                                           int limit) override;
  absl::StatusOr<int> Count(const RegionFilter& filter) override;
  absl::StatusOr<ImportOutcome> Import(absl::string_view request_id, const std::vector<Region>& regions,
                                       bool dry_run) override;

 private:
  storage::Database* db_;
  const Clock* clock_;
};

}  // namespace kla::registry
