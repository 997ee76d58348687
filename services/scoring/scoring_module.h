#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/outbox/service_base.h"
#include "libs/rpc/call_context.h"

namespace kla::scoring {

// The scoring service: Exact scores per stage, explanations, rankings cached in Redis, publication of results (issue #5).
//
// This slice holds its schema (outbox and inbox), its event consumer and
// its health status, so kla-server can host it and other services can
// address events to it; its API grows with its own issue.
class ScoringModule final : public outbox::ServiceBase {
 public:
  static absl::StatusOr<std::unique_ptr<ScoringModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                             outbox::GrpcSinkDirectory* sinks);
  std::vector<grpc::Service*> grpc_services() override { return {}; }
  std::vector<std::string> grpc_service_names() const override { return {}; }

 private:
  ScoringModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks)
      : ServiceBase("scoring", db, policy.clock, sinks) {}
};

}  // namespace kla::scoring
