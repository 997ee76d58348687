#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kla/scoring/v1/scoring.pb.h"

namespace kla::scoring {

// The shared cache of ranking snapshots (Redis in production). A cache:
// every error means "read the database instead", never a wrong answer.
// Snapshots are immutable; a ranking becomes current by switching one
// pointer, so a reader sees the old snapshot or the new one, never half.
class RankingCache {
 public:
  virtual ~RankingCache() = default;
  // Stores a whole snapshot under its id (before any pointer names it).
  virtual absl::Status Put(const v1::RankingSnapshot& snapshot) = 0;
  // The snapshot, or nullopt when the cache does not hold it (cold, flushed
  // or expired).
  virtual absl::StatusOr<std::optional<v1::RankingSnapshot>> Get(const std::string& snapshot_id) = 0;
  // Makes `snapshot_id` current for `key` atomically; the snapshot it
  // replaces stays readable for a grace period, for readers in flight.
  virtual absl::Status SetCurrent(const std::string& key, const std::string& snapshot_id) = 0;
  // Sets the pointer only when the cache has none (a reader repairing a
  // flushed cache must never put back an older snapshot than a writer's).
  virtual absl::Status SetCurrentIfAbsent(const std::string& key, const std::string& snapshot_id) = 0;
  // The current snapshot id of `key`, or nullopt when unknown to the cache.
  virtual absl::StatusOr<std::optional<std::string>> GetCurrent(const std::string& key) = 0;
};

}  // namespace kla::scoring
