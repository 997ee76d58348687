#pragma once

#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/registry/domain/cycle.h"

namespace kla::registry {

// CycleStore on SQL: the cycle as a serialized proto with a version column
// for optimistic concurrency; transitions and extensions append-only.
class SqlCycleStore final : public CycleStore {
 public:
  // `outbox` may be null (tests): then no CycleOpened event is written.
  explicit SqlCycleStore(storage::Database* db, const outbox::Outbox* outbox = nullptr) : db_(db), outbox_(outbox) {}
  absl::Status Create(const v1::Cycle& cycle, absl::Time now) override;
  absl::StatusOr<std::optional<StoredCycle>> Get(absl::string_view id) override;
  absl::Status Update(const v1::Cycle& cycle, int64_t expected_version,
                      const std::optional<v1::CycleTransition>& transition,
                      const std::vector<outbox::OutgoingEvent>& events) override;
  absl::StatusOr<std::vector<StoredCycle>> List(absl::string_view after_id, int limit) override;
  absl::StatusOr<std::vector<v1::CycleTransition>> Transitions(absl::string_view id) override;
  absl::StatusOr<v1::RegionExtension> AddExtension(const v1::RegionExtension& extension,
                                                   absl::string_view request_id) override;
  absl::StatusOr<std::vector<v1::RegionExtension>> Extensions(absl::string_view cycle_id,
                                                              absl::string_view region_code) override;

 private:
  storage::Database* db_;
  const outbox::Outbox* outbox_;
};

}  // namespace kla::registry
