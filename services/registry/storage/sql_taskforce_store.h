#pragma once

#include "libs/storage/database.h"
#include "services/registry/domain/taskforce.h"

namespace kla::registry {

// TaskForceStore on SQL: current version plus every revision, and the
// meeting log.
class SqlTaskForceStore final : public TaskForceStore {
 public:
  explicit SqlTaskForceStore(storage::Database* db) : db_(db) {}
  absl::Status Create(const v1::TaskForceRevision& first) override;
  absl::StatusOr<std::optional<StoredTaskForce>> Get(absl::string_view region_code) override;
  absl::Status Update(const v1::TaskForceRevision& revision, int64_t expected_version) override;
  absl::StatusOr<std::vector<StoredTaskForce>> List(absl::string_view province_code, absl::string_view after,
                                                    int limit) override;
  absl::StatusOr<std::vector<v1::TaskForceRevision>> History(absl::string_view region_code) override;
  absl::StatusOr<v1::TaskForceMeeting> AddMeeting(const v1::TaskForceMeeting& meeting,
                                                  absl::string_view request_id) override;
  absl::StatusOr<std::vector<v1::TaskForceMeeting>> Meetings(absl::string_view region_code, absl::string_view from,
                                                             absl::string_view to) override;

 private:
  storage::Database* db_;
};

}  // namespace kla::registry
