#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/common/periodic_worker.h"
#include "libs/outbox/grpc/service_base.h"
#include "libs/redis/redis_client.h"
#include "libs/rpc/call_context.h"
#include "services/scoring/clients/grpc_scoring_directory.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/scoring.h"
#include "services/scoring/handlers/scoring_service.h"
#include "services/scoring/storage/redis_ranking_cache.h"
#include "services/scoring/storage/sql_score_store.h"

namespace kla::scoring {

// The scoring service as a module kla-server can host: scores from the
// submission service's StageAnswersChanged events, rankings (snapshots in
// the database, shared through Redis, served from memory), publication
// with award events to notification through its outbox, and a background
// worker that rebuilds stale rankings and runs recompute jobs.
class ScoringModule final : public outbox::ServiceBase {
 public:
  struct Options {
    // How often the worker looks for stale rankings and jobs when nothing
    // wakes it; also the longest a live ranking lags its scores.
    absl::Duration refresh_interval = absl::Milliseconds(500);
    // How long a replica trusts its copy of a ranking pointer.
    absl::Duration pointer_ttl = absl::Seconds(1);
  };
  // `cache` may be null (no Redis configured): rankings are then served from
  // memory and the database. The module does not own it.
  static absl::StatusOr<std::unique_ptr<ScoringModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                               outbox::GrpcSinkDirectory* sinks,
                                                               registry::RegistryReader::ChannelSource registry,
                                                               registry::RegistryReader::TokenSource token,
                                                               redis::RedisClient* cache, Options options);
  static absl::StatusOr<std::unique_ptr<ScoringModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                               outbox::GrpcSinkDirectory* sinks,
                                                               registry::RegistryReader::ChannelSource registry,
                                                               registry::RegistryReader::TokenSource token,
                                                               redis::RedisClient* cache) {
    return Create(db, policy, sinks, std::move(registry), std::move(token), cache, Options());
  }
  ~ScoringModule() override { Stop(); }

  std::vector<grpc::Service*> grpc_services() override { return {&handler_}; }
  std::vector<std::string> grpc_service_names() const override { return {v1::ScoringService::service_full_name()}; }
  auth::AccessTable access_rules() const override;
  absl::Status Start() override;
  void Stop() override;

  // For tests: rebuild stale rankings and run queued jobs now.
  absl::Status Settle();

 private:
  ScoringModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                registry::RegistryReader::ChannelSource registry, registry::RegistryReader::TokenSource token,
                redis::RedisClient* cache, Options options);

  // The worker's pass: Settle, its failure logged (retried next interval).
  // Debounced: a burst of events costs one rebuild per interval.
  void SettleInBackground();

  Options options_;
  redis::RedisClient* redis_;
  SqlScoreStore store_;
  GrpcScoringDirectory directory_;
  std::unique_ptr<RedisRankingCache> cache_;
  RankingBook rankings_;
  ScoringUseCases scoring_;
  ScoringServiceHandler handler_;

  PeriodicWorker worker_{{.interval = options_.refresh_interval}, [this] { SettleInBackground(); }};
};

}  // namespace kla::scoring
