#pragma once

#include "libs/storage/database.h"
#include "services/registry/domain/rulebook_library.h"

namespace kla::registry {

// RulebookStore on SQL: the rulebook's serialized proto under its version.
class SqlRulebookStore final : public RulebookStore {
 public:
  explicit SqlRulebookStore(storage::Database* db) : db_(db) {}
  absl::StatusOr<std::pair<RulebookRecord, bool>> PutIfAbsent(const RulebookRecord& record) override;
  absl::StatusOr<std::optional<RulebookRecord>> Get(absl::string_view version) override;
  absl::StatusOr<std::vector<RulebookRecord>> List(absl::string_view after, int limit) override;

 private:
  storage::Database* db_;
};

}  // namespace kla::registry
