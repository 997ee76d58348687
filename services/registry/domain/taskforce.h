#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/registry/v1/taskforce.pb.h"
#include "libs/common/clock.h"
#include "services/registry/domain/region_store.h"

namespace kla::registry {

struct StoredTaskForce {
  v1::TaskForce task_force;
  int64_t version = 0;
};

class TaskForceStore {
 public:
  virtual ~TaskForceStore() = default;
  // ALREADY_EXISTS when the region has one.
  virtual absl::Status Create(const v1::TaskForceRevision& first) = 0;
  virtual absl::StatusOr<std::optional<StoredTaskForce>> Get(absl::string_view region_code) = 0;
  // ABORTED when the stored version is not `expected_version`.
  virtual absl::Status Update(const v1::TaskForceRevision& revision, int64_t expected_version) = 0;
  // Task forces whose region code starts with `province_code` (all if
  // empty), code > `after`, ordered.
  virtual absl::StatusOr<std::vector<StoredTaskForce>> List(absl::string_view province_code, absl::string_view after,
                                                            int limit) = 0;
  virtual absl::StatusOr<std::vector<v1::TaskForceRevision>> History(absl::string_view region_code) = 0;
  // Records a meeting under `request_id`; a repeated id returns the meeting
  // recorded first.
  virtual absl::StatusOr<v1::TaskForceMeeting> AddMeeting(const v1::TaskForceMeeting& meeting,
                                                          absl::string_view request_id) = 0;
  // Meetings with from <= date <= to ("YYYY-MM-DD"), by date.
  virtual absl::StatusOr<std::vector<v1::TaskForceMeeting>> Meetings(absl::string_view region_code,
                                                                     absl::string_view from, absl::string_view to) = 0;
};

struct TaskForcePage {
  std::vector<v1::TaskForce> task_forces;
  std::string next_page_token;
};

struct MeetingLog {
  std::vector<v1::TaskForceMeeting> meetings;
  // "Rapat koordinasi lebih dari 4 kali setahun" (indicator 2).
  bool more_than_four = false;
};

// Gugus Tugas KLA use cases: create, read, update with etags and field
// masks, full change history, meeting log.
class TaskForceRegistry {
 public:
  TaskForceRegistry(TaskForceStore* store, RegionStore* regions, const Clock* clock)
      : store_(store), regions_(regions), clock_(clock) {}

  absl::StatusOr<v1::TaskForce> Create(const v1::TaskForce& task_force, absl::string_view actor);
  absl::StatusOr<v1::TaskForce> Get(absl::string_view region_code);
  // `paths`: decree, members, rad_kla.
  absl::StatusOr<v1::TaskForce> Update(const v1::TaskForce& task_force, const std::vector<std::string>& paths,
                                       absl::string_view actor);
  absl::StatusOr<TaskForcePage> List(absl::string_view province_code, int page_size, absl::string_view page_token);
  absl::StatusOr<std::vector<v1::TaskForceRevision>> History(absl::string_view region_code);
  // RESOURCE_EXHAUSTED beyond kMaxMeetingsPerYear in the meeting's year.
  absl::StatusOr<v1::TaskForceMeeting> AddMeeting(const v1::TaskForceMeeting& meeting, absl::string_view request_id);
  static constexpr size_t kMaxMeetingsPerYear = 100;
  // The meetings of one calendar year.
  absl::StatusOr<MeetingLog> Meetings(absl::string_view region_code, int year);

 private:
  absl::Status Validate(const v1::TaskForce& tf);
  absl::StatusOr<StoredTaskForce> Load(absl::string_view region_code);
  TaskForceStore* store_;
  RegionStore* regions_;
  const Clock* clock_;
};

// Output-only fields derived from the stored ones (missing sub-groups).
void Decorate(v1::TaskForce* tf, int64_t version);

// True for a valid calendar date "YYYY-MM-DD".
bool IsDate(absl::string_view s);

}  // namespace kla::registry
