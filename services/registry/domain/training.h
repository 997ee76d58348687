#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/registry/v1/training.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/registry/domain/region_store.h"

namespace kla::registry {

struct ImportedParticipants {
  int added = 0;
  int already_registered = 0;
};

class TrainingStore {
 public:
  virtual ~TrainingStore() = default;
  // Creates under `request_id`; a repeated id returns the first training.
  virtual absl::StatusOr<v1::Training> Create(const v1::Training& training, absl::string_view request_id) = 0;
  virtual absl::StatusOr<std::optional<v1::Training>> Get(absl::string_view id) = 0;
  // Trainings of a region (all if empty) ending in [from, to], by start date then id.
  virtual absl::StatusOr<std::vector<v1::Training>> List(absl::string_view region_code, absl::string_view from,
                                                         absl::string_view to) = 0;
  // Adds participants in one transaction under `request_id` (a repeated id
  // returns the first outcome); people already registered are skipped.
  virtual absl::StatusOr<ImportedParticipants> AddParticipants(absl::string_view training_id,
                                                               const std::vector<v1::TrainingParticipant>& people,
                                                               absl::string_view request_id) = 0;
  virtual absl::StatusOr<std::vector<v1::TrainingParticipant>> Participants(absl::string_view training_id) = 0;
  // Distinct people of `region_code` trained in trainings ending in [from, to], per agency.
  virtual absl::StatusOr<std::vector<v1::TrainedStaffCount>> CountTrained(absl::string_view region_code,
                                                                          absl::string_view from,
                                                                          absl::string_view to) = 0;
};

// Diklat KHA use cases.
class TrainingRegistry {
 public:
  TrainingRegistry(TrainingStore* store, RegionStore* regions, const Clock* clock)
      : store_(store), regions_(regions), clock_(clock) {}

  absl::StatusOr<v1::Training> Create(const v1::Training& training, absl::string_view request_id);
  absl::StatusOr<v1::Training> Get(absl::string_view id);
  // The training `id` organised by `region_code`; NOT_FOUND when it is
  // another region's (callers are admitted per region).
  absl::StatusOr<v1::Training> GetInRegion(absl::string_view region_code, absl::string_view id);
  absl::StatusOr<std::vector<v1::Training>> List(absl::string_view region_code, int year);
  // Parses "name,agency,region_code[,position]" CSV (header required) and
  // adds everyone, or nobody: the first bad row fails the whole import with
  // its line number. Every participant's region must be within the
  // caller's reach (PERMISSION_DENIED naming the line otherwise): a region
  // cannot change another's trained-staff count.
  // The training must be `region_code`'s (NOT_FOUND otherwise).
  absl::StatusOr<ImportedParticipants> ImportParticipants(absl::string_view region_code, absl::string_view training_id,
                                                          absl::string_view csv, absl::string_view request_id,
                                                          const auth::Principal& caller);
  // The participants of `region_code`'s training `training_id`.
  absl::StatusOr<std::vector<v1::TrainingParticipant>> Participants(absl::string_view region_code,
                                                                    absl::string_view training_id);
  absl::StatusOr<std::vector<v1::TrainedStaffCount>> CountTrained(absl::string_view region_code, absl::string_view from,
                                                                  absl::string_view to);

 private:
  absl::Status CheckRegion(absl::string_view field, absl::string_view code);
  TrainingStore* store_;
  RegionStore* regions_;
  const Clock* clock_;
};

}  // namespace kla::registry
