#include "services/scoring/domain/ranking_book.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace kla::scoring {
namespace {

constexpr type::v1::Stage kLiveStages[] = {
    type::v1::STAGE_UNSPECIFIED,    type::v1::STAGE_SELF_EVALUATION,    type::v1::STAGE_PROVINCIAL_VERIFICATION,
    type::v1::STAGE_CENTRAL_REVIEW, type::v1::STAGE_FIELD_VERIFICATION, type::v1::STAGE_FINAL_VERIFICATION};

absl::string_view ViewWord(v1::RankingView view) {
  switch (view) {
    case v1::RANKING_VIEW_LIVE:
      return "live";
    case v1::RANKING_VIEW_PROVISIONAL:
      return "provisional";
    case v1::RANKING_VIEW_FINAL:
      return "final";
    default:
      return "unspecified";
  }
}

}  // namespace

std::string RankingKey::Name() const {
  return absl::StrCat(cycle_id, "/", ViewWord(view), "/", static_cast<int>(stage));
}

RankingBook::RankingBook(ScoreStore* store, RankingCache* cache, const Clock* clock, absl::Duration pointer_ttl)
    : store_(store), cache_(cache), clock_(clock), pointer_ttl_(pointer_ttl) {}

std::vector<const v1::RegionScore*> RankingBook::Pick(const std::vector<StageScore>& scores, type::v1::Stage stage) {
  std::map<std::string, const v1::RegionScore*> by_region;
  for (const StageScore& s : scores) {
    const v1::RegionScore& r = s.score;
    if (stage != type::v1::STAGE_UNSPECIFIED) {
      if (r.stage() == stage) by_region[r.region().code()] = &r;
      continue;
    }
    const v1::RegionScore*& best = by_region[r.region().code()];
    if (best == nullptr || r.stage() > best->stage()) best = &r;  // stages are numbered in order
  }
  std::vector<const v1::RegionScore*> out;
  out.reserve(by_region.size());
  for (const auto& [code, s] : by_region) out.push_back(s);
  return out;
}

v1::RankingSnapshot RankingBook::Build(const RankingKey& key, const std::vector<const v1::RegionScore*>& scores,
                                       const std::string& rulebook_version) const {
  v1::RankingSnapshot out;
  // Readable and unique: "2025.final.0.3f2a9c1e...".
  out.set_snapshot_id(absl::StrCat(absl::StrReplaceAll(key.Name(), {{"/", "."}}), ".", NewUuid().substr(0, 8)));
  out.set_cycle_id(key.cycle_id);
  out.set_view(key.view);
  out.set_stage(key.stage);
  out.set_rulebook_version(rulebook_version);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  std::vector<v1::RankingEntry> entries;
  entries.reserve(scores.size());
  for (const v1::RegionScore* s : scores) {
    v1::RankingEntry e;
    *e.mutable_region() = s->region();
    *e.mutable_province() = s->province();
    *e.mutable_total() = s->total();
    e.set_predicate(s->predicate());
    e.set_stage(s->stage());
    entries.push_back(std::move(e));
  }
  RankEntries(&entries);
  for (auto& e : entries) *out.add_entries() = std::move(e);
  return out;
}

void RankingBook::CacheQuietly(const std::string& name, const v1::RankingSnapshot& snapshot) {
  if (cache_ == nullptr) return;
  // The snapshot first, then the pointer: a reader never finds a pointer to
  // a snapshot that is not there.
  absl::Status st = cache_->Put(snapshot);
  if (st.ok() && !name.empty()) st = cache_->SetCurrent(name, snapshot.snapshot_id());
  if (!st.ok()) log::Warn("ranking cache not updated", {{"ranking", name}, {"error", std::string(st.message())}});
}

void RankingBook::Publish(const RankingKey& key, const v1::RankingSnapshot& snapshot) {
  const std::string name = key.Name();
  CacheQuietly(name, snapshot);
  auto index = std::make_shared<const RankingIndex>(snapshot);
  absl::MutexLock lock(&mu_);
  pointers_[name] = {snapshot.snapshot_id(), clock_->Now()};
  snapshots_[snapshot.snapshot_id()] = std::move(index);
  // Keep only snapshots some pointer names (readers in flight hold theirs).
  for (auto it = snapshots_.begin(); it != snapshots_.end();) {
    bool named = false;
    for (const auto& [n, p] : pointers_) named = named || p.snapshot_id == it->first;
    it = named ? std::next(it) : snapshots_.erase(it);
  }
}

absl::StatusOr<std::optional<std::string>> RankingBook::PointerFromLowerLayers(const std::string& name,
                                                                               bool* from_cache) {
  if (cache_ != nullptr) {
    auto cached = cache_->GetCurrent(name);
    if (cached.ok() && cached->has_value()) {
      *from_cache = true;
      return *cached;
    }
  }
  // The cache is down, cold or flushed: the caller reads the database's
  // pointer, which is the same one.
  *from_cache = false;
  return absl::StatusOr<std::optional<std::string>>(std::nullopt);
}

absl::StatusOr<std::shared_ptr<const RankingIndex>> RankingBook::Load(const std::string& snapshot_id,
                                                                      bool* from_cache) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = snapshots_.find(snapshot_id); it != snapshots_.end()) return it->second;
  }
  if (cache_ != nullptr) {
    auto cached = cache_->Get(snapshot_id);
    if (cached.ok() && cached->has_value()) {
      *from_cache = true;
      return std::make_shared<const RankingIndex>(std::move(**cached));
    }
  }
  *from_cache = false;
  KLA_ASSIGN_OR_RETURN(std::optional<v1::RankingSnapshot> stored, store_->GetSnapshot(snapshot_id));
  if (!stored) return NotFound("ranking snapshot", snapshot_id);
  CacheQuietly("", *stored);  // warm the cache for the next reader
  return std::make_shared<const RankingIndex>(std::move(*stored));
}

absl::StatusOr<std::optional<RankingBook::Read>> RankingBook::Current(const RankingKey& key) {
  const std::string name = key.Name();
  std::string id;
  {
    absl::MutexLock lock(&mu_);
    auto p = pointers_.find(name);
    if (p != pointers_.end() && clock_->Now() - p->second.fetched < pointer_ttl_) {
      auto s = snapshots_.find(p->second.snapshot_id);
      if (s != snapshots_.end()) return Read{s->second, v1::RANKING_SOURCE_MEMORY};
    }
  }
  bool pointer_from_cache = false;
  bool repair = false;
  bool snapshot_from_cache = false;
  bool in_memory = false;
  std::shared_ptr<const RankingIndex> index;
  // A live snapshot read through an old pointer may have been replaced (and
  // its row dropped) meanwhile: read the pointer again.
  for (int attempt = 0;; ++attempt) {
    KLA_ASSIGN_OR_RETURN(std::optional<std::string> cached_id, PointerFromLowerLayers(name, &pointer_from_cache));
    repair = false;
    if (cached_id) {
      id = *cached_id;
    } else {
      KLA_ASSIGN_OR_RETURN(std::optional<ScoreStore::Pointer> stored, store_->Current(key));
      if (!stored) return std::optional<Read>();
      id = stored->snapshot_id;
      repair = true;
    }
    {
      absl::MutexLock lock(&mu_);
      in_memory = snapshots_.contains(id);
    }
    absl::StatusOr<std::shared_ptr<const RankingIndex>> loaded = Load(id, &snapshot_from_cache);
    if (loaded.ok()) {
      index = *std::move(loaded);
      break;
    }
    if (loaded.status().code() != absl::StatusCode::kNotFound || attempt == 4) return loaded.status();
  }
  if (repair && cache_ != nullptr) {
    // The snapshot is there (Load put it or found it); the pointer only if
    // no writer has set a newer one meanwhile.
    absl::Status st = cache_->SetCurrentIfAbsent(name, id);
    if (!st.ok()) log::Debug("ranking cache pointer not repaired", {{"ranking", name}});
  }
  {
    absl::MutexLock lock(&mu_);
    pointers_[name] = {id, clock_->Now()};
    snapshots_[id] = index;
  }
  v1::RankingSource source = v1::RANKING_SOURCE_MEMORY;
  if (repair || (!in_memory && !snapshot_from_cache)) {
    source = v1::RANKING_SOURCE_DATABASE;
  } else if (pointer_from_cache || snapshot_from_cache) {
    source = v1::RANKING_SOURCE_REDIS;
  }
  return std::optional<Read>(Read{std::move(index), source});
}

absl::Status RankingBook::Rebuild(const std::string& cycle_id, int64_t counter) {
  KLA_ASSIGN_OR_RETURN(std::vector<StageScore> scores, store_->ListCycle(cycle_id, /*with_answers=*/false));
  const std::string rulebook = scores.empty() ? "" : scores.front().score.rulebook_version();
  for (type::v1::Stage stage : kLiveStages) {
    const RankingKey key{cycle_id, v1::RANKING_VIEW_LIVE, stage};
    std::vector<const v1::RegionScore*> picked = Pick(scores, stage);
    if (picked.empty()) continue;  // nothing at that stage yet
    v1::RankingSnapshot snapshot = Build(key, picked, rulebook);
    KLA_RETURN_IF_ERROR(store_->SaveSnapshot(key, snapshot, counter));
    Publish(key, snapshot);
  }
  absl::MutexLock lock(&mu_);
  built_[cycle_id] = counter;
  return absl::OkStatus();
}

absl::StatusOr<int> RankingBook::RefreshStale() {
  absl::MutexLock rebuilding(&rebuild_mu_);
  KLA_ASSIGN_OR_RETURN(auto counters, store_->ChangeCounters());
  int rebuilt = 0;
  for (const auto& [cycle_id, counter] : counters) {
    std::optional<int64_t> built;
    {
      absl::MutexLock lock(&mu_);
      if (auto it = built_.find(cycle_id); it != built_.end()) built = it->second;
    }
    if (!built) {
      // First look since start: what the database last built. A process
      // killed between saving a snapshot and switching the cache rebuilds.
      KLA_ASSIGN_OR_RETURN(auto p, store_->Current({cycle_id, v1::RANKING_VIEW_LIVE, type::v1::STAGE_UNSPECIFIED}));
      if (p && p->built_from == counter && cache_ != nullptr) {
        auto cached =
            cache_->GetCurrent(RankingKey{cycle_id, v1::RANKING_VIEW_LIVE, type::v1::STAGE_UNSPECIFIED}.Name());
        if (cached.ok() && *cached == p->snapshot_id) built = counter;
      } else if (p && p->built_from == counter) {
        built = counter;
      }
    }
    if (built && *built >= counter) {
      absl::MutexLock lock(&mu_);
      built_[cycle_id] = *built;
      continue;
    }
    KLA_RETURN_IF_ERROR(Rebuild(cycle_id, counter));
    ++rebuilt;
  }
  return rebuilt;
}

}  // namespace kla::scoring
