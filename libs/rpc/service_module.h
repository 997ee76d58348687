#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/auth/access.h"

namespace kla::outbox {
class EventConsumer;
}

namespace kla::rpc {

// One kla service (registry, submission, scoring, notification) as a
// library that kla-server can host alone or beside the others.
class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  // Short name: "registry". Also its health-check name and its event target.
  virtual std::string name() const = 0;
  // gRPC services to register on the server.
  virtual std::vector<grpc::Service*> grpc_services() = 0;
  // Fully qualified names of those services, for health status.
  virtual std::vector<std::string> grpc_service_names() const = 0;
  // The access rule of every RPC of those services (kla-server refuses to
  // start when one is missing).
  virtual auth::AccessTable access_rules() const { return {}; }
  // Consumer of events addressed to this service, if it receives any.
  virtual outbox::EventConsumer* event_consumer() { return nullptr; }
  // Starts background work (outbox relay, schedulers). Called after the
  // server listens.
  virtual absl::Status Start() { return absl::OkStatus(); }
  // Stops background work; called after the server has drained.
  virtual void Stop() {}
};

}  // namespace kla::rpc
