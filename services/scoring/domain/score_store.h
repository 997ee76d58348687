#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/event/v1/event.pb.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/outbox/outgoing_event.h"

namespace kla::scoring {

// A stored stage score with the answers it was computed from (kept for
// recomputes).
struct StageScore {
  v1::RegionScore score;  // explained
  submission::v1::StageAnswers answers;
};

// A final result published before kla (ImportPastResults).
struct PastResult {
  std::string cycle_id;
  std::string region_code;
  type::v1::Predicate predicate = type::v1::PREDICATE_UNSPECIFIED;
  std::optional<int64_t> total_hundredths;
};

// Which ranking a pointer names: LIVE per stage, PROVISIONAL and FINAL with
// STAGE_UNSPECIFIED.
struct RankingKey {
  std::string cycle_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  type::v1::Stage stage = type::v1::STAGE_UNSPECIFIED;
  // "2025/live/2": the cache's pointer name too.
  std::string Name() const;
};

// Storage of scores, ranking snapshots, publications and recompute jobs.
// The database is the source of truth; implementations are SQL.
class ScoreStore {
 public:
  virtual ~ScoreStore() = default;

  // In one transaction: records the event id and, unless the stored score
  // of that stage has the same or a higher revision, stores `s` and raises
  // the cycle's change counter. Returns true when the event was seen before.
  virtual absl::StatusOr<bool> ApplyFromEvent(const event::v1::EventEnvelope& event, const StageScore& s) = 0;
  // In one transaction: records the event and that the region's return in
  // the cycle was closed as not completed. Returns true when the event was
  // seen before.
  virtual absl::StatusOr<bool> ApplyNotCompleted(const event::v1::EventEnvelope& envelope, const std::string& cycle_id,
                                                 const std::string& region_code) = 0;
  // The regions of a cycle whose return was closed as not completed.
  virtual absl::StatusOr<std::set<std::string>> ListNotCompleted(const std::string& cycle_id) = 0;
  // One stage's score; STAGE_UNSPECIFIED: the latest stage scored.
  virtual absl::StatusOr<std::optional<StageScore>> Get(const std::string& cycle_id, const std::string& region_code,
                                                        type::v1::Stage stage) = 0;
  // Every stage score of a cycle (with answers when asked).
  virtual absl::StatusOr<std::vector<StageScore>> ListCycle(const std::string& cycle_id, bool with_answers) = 0;
  // Every stage score of a region, all cycles.
  virtual absl::StatusOr<std::vector<v1::RegionScore>> ListRegion(const std::string& region_code) = 0;
  // A recomputed score, stored only if the same revision is still there
  // (a newer event wins). Raises the change counter when it changed.
  // Returns whether it was stored.
  virtual absl::StatusOr<bool> Replace(const v1::RegionScore& s) = 0;
  // Change counters of every cycle with scores.
  virtual absl::StatusOr<std::map<std::string, int64_t>> ChangeCounters() = 0;

  // Stores a snapshot and points `key` at it, remembering the change
  // counter it was built from.
  virtual absl::Status SaveSnapshot(const RankingKey& key, const v1::RankingSnapshot& snapshot, int64_t built_from) = 0;
  // The current snapshot id of `key` and the counter it was built from.
  struct Pointer {
    std::string snapshot_id;
    int64_t built_from = 0;
  };
  virtual absl::StatusOr<std::optional<Pointer>> Current(const RankingKey& key) = 0;
  virtual absl::StatusOr<std::optional<v1::RankingSnapshot>> GetSnapshot(const std::string& snapshot_id) = 0;

  // Publishes: in one transaction, unless (cycle, kind) is already
  // published: the snapshot, the publication, the pointer of its view and
  // the events. Returns the publication in force (the earlier one if any)
  // and whether this call created it.
  struct PublishResult {
    v1::Publication publication;
    bool created = false;
  };
  virtual absl::StatusOr<PublishResult> Publish(const v1::Publication& publication, const v1::RankingSnapshot& snapshot,
                                                const std::vector<outbox::OutgoingEvent>& events) = 0;
  virtual absl::StatusOr<std::vector<v1::Publication>> ListPublications(const std::string& cycle_id) = 0;

  // Stores past results in one transaction, replacing those of the same
  // cycle and region.
  virtual absl::Status SavePastResults(const std::vector<PastResult>& results, const std::string& imported_by) = 0;
  virtual absl::StatusOr<std::vector<PastResult>> ListPastResults(const std::string& region_code) = 0;
  // One imported cycle's results, by region code.
  virtual absl::StatusOr<std::vector<PastResult>> ListPastCycle(const std::string& cycle_id) = 0;
  // The imported cycles, by id.
  virtual absl::StatusOr<std::vector<std::string>> ListPastCycleIds() = 0;

  // Creates a job, or returns the one created earlier with `request_id`.
  virtual absl::StatusOr<v1::RecomputeJob> CreateJob(const v1::RecomputeJob& job, const std::string& request_id) = 0;
  virtual absl::Status UpdateJob(const v1::RecomputeJob& job) = 0;
  virtual absl::StatusOr<std::optional<v1::RecomputeJob>> GetJob(const std::string& job_id) = 0;
  // QUEUED and RUNNING jobs, oldest first (a RUNNING one was cut short by a
  // restart and is run again: recomputing is idempotent).
  virtual absl::StatusOr<std::vector<v1::RecomputeJob>> UnfinishedJobs() = 0;
};

}  // namespace kla::scoring
