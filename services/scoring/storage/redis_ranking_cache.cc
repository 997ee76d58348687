#include "services/scoring/storage/redis_ranking_cache.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace kla::scoring {
namespace {

std::string Key(const std::string& id, absl::string_view part) { return absl::StrCat("kla:ranking:", id, ":", part); }
std::string Pointer(const std::string& name) { return absl::StrCat("kla:ranking:current:", name); }

absl::Status Check(const absl::StatusOr<redis::Reply>& r) {
  if (!r.ok()) return r.status();
  if (r->type == redis::Reply::Type::kStatus && r->str != "OK" && r->str != "QUEUED") {
    return absl::UnavailableError(absl::StrCat("redis: ", r->str));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RedisRankingCache::Put(const v1::RankingSnapshot& snapshot) {
  const std::string& id = snapshot.snapshot_id();
  const std::string ttl = std::to_string(absl::ToInt64Seconds(ttl_));
  std::vector<std::string> national = {"ZADD", Key(id, "national")};
  std::vector<std::string> entries = {"HSET", Key(id, "entries")};
  std::map<std::string, std::vector<std::string>> provinces;
  for (const auto& e : snapshot.entries()) {
    const std::string score = std::to_string(-e.total().hundredths());
    national.insert(national.end(), {score, e.region().code()});
    auto& p = provinces[e.province().code()];
    if (p.empty()) p = {"ZADD", Key(id, absl::StrCat("province:", e.province().code()))};
    p.insert(p.end(), {score, e.region().code()});
    entries.insert(entries.end(), {e.region().code(), e.SerializeAsString()});
  }
  if (!snapshot.entries().empty()) {
    KLA_RETURN_IF_ERROR(Check(redis_->Command(national)));
    KLA_RETURN_IF_ERROR(Check(redis_->Command({"EXPIRE", national[1], ttl})));
    KLA_RETURN_IF_ERROR(Check(redis_->Command(entries)));
    KLA_RETURN_IF_ERROR(Check(redis_->Command({"EXPIRE", entries[1], ttl})));
    for (const auto& [code, cmd] : provinces) {
      KLA_RETURN_IF_ERROR(Check(redis_->Command(cmd)));
      KLA_RETURN_IF_ERROR(Check(redis_->Command({"EXPIRE", cmd[1], ttl})));
    }
  }
  // The meta key last: its presence says the rest was written (and Get
  // checks the count, in case the cache was flushed half way).
  v1::RankingSnapshot meta = snapshot;
  meta.clear_entries();
  return Check(redis_->Command(
      {"SET", Key(id, "meta"), absl::StrCat(snapshot.entries_size(), ":", meta.SerializeAsString()), "EX", ttl}));
}

absl::StatusOr<std::optional<v1::RankingSnapshot>> RedisRankingCache::Get(const std::string& snapshot_id) {
  KLA_ASSIGN_OR_RETURN(redis::Reply meta, redis_->Command({"GET", Key(snapshot_id, "meta")}));
  if (meta.type != redis::Reply::Type::kString) return std::optional<v1::RankingSnapshot>();
  const size_t colon = meta.str.find(':');
  v1::RankingSnapshot out;
  int64_t count = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(meta.str.substr(0, colon), &count) ||
      !out.ParseFromString(meta.str.substr(colon + 1))) {
    return std::optional<v1::RankingSnapshot>();  // not ours: a miss
  }
  if (count > 0) {
    KLA_ASSIGN_OR_RETURN(redis::Reply order, redis_->Command({"ZRANGE", Key(snapshot_id, "national"), "0", "-1"}));
    KLA_ASSIGN_OR_RETURN(redis::Reply all, redis_->Command({"HGETALL", Key(snapshot_id, "entries")}));
    if (order.array.size() != static_cast<size_t>(count) || all.array.size() != static_cast<size_t>(count) * 2) {
      return std::optional<v1::RankingSnapshot>();  // partly flushed or expired: a miss
    }
    std::map<std::string, const std::string*> by_region;
    for (size_t i = 0; i + 1 < all.array.size(); i += 2) by_region[all.array[i].str] = &all.array[i + 1].str;
    for (const auto& member : order.array) {
      auto it = by_region.find(member.str);
      if (it == by_region.end() || !out.add_entries()->ParseFromString(*it->second)) {
        return std::optional<v1::RankingSnapshot>();
      }
    }
  }
  return std::optional<v1::RankingSnapshot>(std::move(out));
}

absl::Status RedisRankingCache::SetCurrent(const std::string& key, const std::string& snapshot_id) {
  KLA_ASSIGN_OR_RETURN(redis::Reply old, redis_->Command({"GETSET", Pointer(key), snapshot_id}));
  if (old.type == redis::Reply::Type::kString && old.str != snapshot_id) {
    // Readers that fetched the old pointer finish on it within the grace.
    const std::string grace = std::to_string(absl::ToInt64Seconds(grace_));
    for (const char* part : {"national", "entries", "meta"}) {
      KLA_RETURN_IF_ERROR(Check(redis_->Command({"EXPIRE", Key(old.str, part), grace})));
    }
  }
  return absl::OkStatus();
}

absl::Status RedisRankingCache::SetCurrentIfAbsent(const std::string& key, const std::string& snapshot_id) {
  return redis_->Command({"SET", Pointer(key), snapshot_id, "NX"}).status();
}

absl::StatusOr<std::optional<std::string>> RedisRankingCache::GetCurrent(const std::string& key) {
  KLA_ASSIGN_OR_RETURN(redis::Reply r, redis_->Command({"GET", Pointer(key)}));
  if (r.type != redis::Reply::Type::kString) return std::optional<std::string>();
  return std::optional<std::string>(r.str);
}

}  // namespace kla::scoring
