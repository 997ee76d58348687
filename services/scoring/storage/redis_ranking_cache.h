#pragma once

#include <string>

#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "services/scoring/domain/ranking_cache.h"

namespace kla::scoring {

// RankingCache in Redis. A snapshot is written under its own keys, never
// changed afterwards:
//   kla:ranking:<id>:national        sorted set, score = -total, member = region code
//                                    (so ZRANGE lists by total, then region code)
//   kla:ranking:<id>:province:<pp>   the same per province
//   kla:ranking:<id>:entries         hash region code -> serialized RankingEntry
//   kla:ranking:<id>:meta            serialized snapshot without entries, written last
// and made current by SET kla:ranking:current:<name> <id> (one atomic
// command). Every key has a TTL: a snapshot that expires is a cache miss,
// read from the database and written again. The snapshot a switch replaces
// expires after a grace period, so readers in flight finish on it.
class RedisRankingCache final : public RankingCache {
 public:
  explicit RedisRankingCache(redis::RedisClient* redis, absl::Duration ttl = absl::Hours(1),
                             absl::Duration grace = absl::Minutes(1))
      : redis_(redis), ttl_(ttl), grace_(grace) {}

  absl::Status Put(const v1::RankingSnapshot& snapshot) override;
  absl::StatusOr<std::optional<v1::RankingSnapshot>> Get(const std::string& snapshot_id) override;
  absl::Status SetCurrent(const std::string& key, const std::string& snapshot_id) override;
  absl::Status SetCurrentIfAbsent(const std::string& key, const std::string& snapshot_id) override;
  absl::StatusOr<std::optional<std::string>> GetCurrent(const std::string& key) override;

 private:
  redis::RedisClient* redis_;
  absl::Duration ttl_;
  absl::Duration grace_;
};

}  // namespace kla::scoring
