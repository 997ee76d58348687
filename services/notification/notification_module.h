#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/outbox/service_base.h"
#include "libs/rpc/call_context.h"

namespace kla::notification {

// The notification service: Award announcements and workflow messages to people and to other agencies' systems:
// webhooks and a gRPC feed (issue #6).
//
// This slice holds its schema (outbox and inbox), its event consumer and
// its health status, so kla-server can host it and other services can
// address events to it; its API grows with its own issue.
class NotificationModule final : public outbox::ServiceBase {
 public:
  static absl::StatusOr<std::unique_ptr<NotificationModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                    outbox::GrpcSinkDirectory* sinks);
  std::vector<grpc::Service*> grpc_services() override { return {}; }
  std::vector<std::string> grpc_service_names() const override { return {}; }

 private:
  NotificationModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks)
      : ServiceBase("notification", db, policy.clock, sinks) {}
};

}  // namespace kla::notification
