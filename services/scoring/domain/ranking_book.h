#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/ranking_cache.h"
#include "services/scoring/domain/ranking_index.h"
#include "services/scoring/domain/score_store.h"

namespace kla::scoring {

// Ranking snapshots: built from stored scores, saved in the database (the
// truth), copied to the shared cache (Redis) and made current there by a
// pointer switch, and held in memory. Reads go memory -> cache -> database;
// whatever layer answers, the snapshot is the same.
//
// The memory copy of a pointer is trusted for `pointer_ttl` (another
// replica's switch shows within that time; this process's own at once).
class RankingBook {
 public:
  RankingBook(ScoreStore* store, RankingCache* cache, const Clock* clock,
              absl::Duration pointer_ttl = absl::Seconds(1));

  struct Read {
    std::shared_ptr<const RankingIndex> ranking;
    v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
  };
  // The current snapshot of `key`, or nullopt when none was ever built.
  absl::StatusOr<std::optional<Read>> Current(const RankingKey& key);

  // Ranks `scores` (one per region) as a new snapshot (not saved).
  v1::RankingSnapshot Build(const RankingKey& key, const std::vector<const v1::RegionScore*>& scores,
                            const std::string& rulebook_version) const;

  // Rebuilds the LIVE rankings (every stage and "latest") of cycles whose
  // scores changed since they were last built. Returns how many cycles.
  absl::StatusOr<int> RefreshStale();

  // After a snapshot was saved as current in the database: copy it to the
  // cache, switch the cache's pointer and remember it here.
  void Publish(const RankingKey& key, const v1::RankingSnapshot& snapshot);

  // Each region's score at `stage` (STAGE_UNSPECIFIED: its latest stage).
  static std::vector<const v1::RegionScore*> Pick(const std::vector<StageScore>& scores, type::v1::Stage stage);

 private:
  // Rebuilds one cycle's LIVE rankings (under rebuild_mu_).
  absl::Status Rebuild(const std::string& cycle_id, int64_t counter);
  absl::StatusOr<std::optional<std::string>> PointerFromLowerLayers(const std::string& name, bool* from_cache);
  absl::StatusOr<std::shared_ptr<const RankingIndex>> Load(const std::string& snapshot_id, bool* from_cache);
  void CacheQuietly(const std::string& name, const v1::RankingSnapshot& snapshot);

  ScoreStore* store_;
  RankingCache* cache_;  // may be null
  const Clock* clock_;
  absl::Duration pointer_ttl_;

  absl::Mutex rebuild_mu_;  // one rebuild at a time (the worker and Settle)
  absl::Mutex mu_;
  struct Pointer {
    std::string snapshot_id;
    absl::Time fetched;
  };
  std::map<std::string, Pointer> pointers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const RankingIndex>> snapshots_ ABSL_GUARDED_BY(mu_);  // recent, by id
  std::map<std::string, int64_t> built_ ABSL_GUARDED_BY(mu_);  // cycle -> counter built from
};

}  // namespace kla::scoring
