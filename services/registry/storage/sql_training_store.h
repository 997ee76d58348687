#pragma once

#include "libs/storage/database.h"
#include "services/registry/domain/training.h"

namespace kla::registry {

// TrainingStore on SQL.
class SqlTrainingStore final : public TrainingStore {
 public:
  explicit SqlTrainingStore(storage::Database* db) : db_(db) {}
  absl::StatusOr<v1::Training> Create(const v1::Training& training, absl::string_view request_id) override;
  absl::StatusOr<std::optional<v1::Training>> Get(absl::string_view id) override;
  absl::StatusOr<std::vector<v1::Training>> List(absl::string_view region_code, absl::string_view from,
                                                 absl::string_view to) override;
  absl::StatusOr<ImportedParticipants> AddParticipants(absl::string_view training_id,
                                                       const std::vector<v1::TrainingParticipant>& people,
                                                       absl::string_view request_id) override;
  absl::StatusOr<std::vector<v1::TrainingParticipant>> Participants(absl::string_view training_id) override;
  absl::StatusOr<std::vector<v1::TrainedStaffCount>> CountTrained(absl::string_view region_code, absl::string_view from,
                                                                  absl::string_view to) override;

 private:
  storage::Database* db_;
};

}  // namespace kla::registry
