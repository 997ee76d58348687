#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/outbox/service_base.h"
#include "libs/redis/redis_client.h"
#include "libs/rpc/call_context.h"

namespace kla::scoring {

// The scoring service: exact scores per stage, explanations, rankings cached
// in Redis, publication of results (issue #5).
//
// This slice holds its schema (outbox and inbox), its event consumer, its
// health status and its connection to the ranking cache, so kla-server can
// host it and other services can address events to it; its API grows with
// its own issue.
class ScoringModule final : public outbox::ServiceBase {
 public:
  // `cache` may be null (no Redis configured): rankings are then always read
  // from the database. The module does not own it.
  static absl::StatusOr<std::unique_ptr<ScoringModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                               outbox::GrpcSinkDirectory* sinks,
                                                               redis::RedisClient* cache);
  std::vector<grpc::Service*> grpc_services() override { return {}; }
  std::vector<std::string> grpc_service_names() const override { return {}; }
  absl::Status Start() override;

 private:
  ScoringModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                redis::RedisClient* cache)
      : ServiceBase("scoring", db, policy.clock, sinks), cache_(cache) {}
  redis::RedisClient* cache_;
};

}  // namespace kla::scoring
