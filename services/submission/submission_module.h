#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/outbox/service_base.h"
#include "libs/rpc/call_context.h"

namespace kla::submission {

// The submission service: Self-evaluation answers and evidence, verification through every stage, returns, objections
// and their audit trail (issue #4).
//
// This slice holds its schema (outbox and inbox), its event consumer and
// its health status, so kla-server can host it and other services can
// address events to it; its API grows with its own issue.
class SubmissionModule final : public outbox::ServiceBase {
 public:
  static absl::StatusOr<std::unique_ptr<SubmissionModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                  outbox::GrpcSinkDirectory* sinks);
  std::vector<grpc::Service*> grpc_services() override { return {}; }
  std::vector<std::string> grpc_service_names() const override { return {}; }

 private:
  SubmissionModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks)
      : ServiceBase("submission", db, policy.clock, sinks) {}
};

}  // namespace kla::submission
