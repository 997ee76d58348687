#pragma once

#include "libs/common/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/scoring/domain/score_store.h"

namespace kla::scoring {

// ScoreStore on SQLite or PostgreSQL (same SQL). Events of a publication go
// through the service's outbox in the publication's transaction; the event
// ids of applied submission events are kept in its inbox.
class SqlScoreStore final : public ScoreStore {
 public:
  SqlScoreStore(storage::Database* db, const outbox::Outbox* outbox, const Clock* clock)
      : db_(db), outbox_(outbox), inbox_("scoring"), clock_(clock) {}

  absl::StatusOr<bool> ApplyFromEvent(const event::v1::EventEnvelope& event, const StageScore& s) override;
  absl::StatusOr<bool> ApplyNotCompleted(const event::v1::EventEnvelope& envelope, const std::string& cycle_id,
                                         const std::string& region_code) override;
  absl::StatusOr<std::set<std::string>> ListNotCompleted(const std::string& cycle_id) override;
  absl::StatusOr<std::optional<StageScore>> Get(const std::string& cycle_id, const std::string& region_code,
                                                type::v1::Stage stage) override;
  absl::StatusOr<std::vector<StageScore>> ListCycle(const std::string& cycle_id, bool with_answers) override;
  absl::StatusOr<std::vector<v1::RegionScore>> ListRegion(const std::string& region_code) override;
  absl::StatusOr<bool> Replace(const v1::RegionScore& s) override;
  absl::StatusOr<std::map<std::string, int64_t>> ChangeCounters() override;
  absl::Status SaveSnapshot(const RankingKey& key, const v1::RankingSnapshot& snapshot, int64_t built_from) override;
  absl::StatusOr<std::optional<Pointer>> Current(const RankingKey& key) override;
  absl::StatusOr<std::optional<v1::RankingSnapshot>> GetSnapshot(const std::string& snapshot_id) override;
  absl::StatusOr<PublishResult> Publish(const v1::Publication& publication, const v1::RankingSnapshot& snapshot,
                                        const std::vector<outbox::OutgoingEvent>& events) override;
  absl::StatusOr<std::vector<v1::Publication>> ListPublications(const std::string& cycle_id) override;
  absl::Status SavePastResults(const std::vector<PastResult>& results, const std::string& imported_by) override;
  absl::StatusOr<std::vector<PastResult>> ListPastResults(const std::string& region_code) override;
  absl::StatusOr<std::vector<PastResult>> ListPastCycle(const std::string& cycle_id) override;
  absl::StatusOr<std::vector<std::string>> ListPastCycleIds() override;
  absl::StatusOr<v1::RecomputeJob> CreateJob(const v1::RecomputeJob& job, const std::string& request_id) override;
  absl::Status UpdateJob(const v1::RecomputeJob& job) override;
  absl::StatusOr<std::optional<v1::RecomputeJob>> GetJob(const std::string& job_id) override;
  absl::StatusOr<std::vector<v1::RecomputeJob>> UnfinishedJobs() override;

 private:
  storage::Database* db_;
  const outbox::Outbox* outbox_;
  outbox::Inbox inbox_;
  const Clock* clock_;
};

}  // namespace kla::scoring
