#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "libs/auth/access.h"
#include "libs/outbox/outbox.h"
#include "libs/rpc/call_context.h"

namespace kla::outbox {

// The bearer token a service sends when it calls another: its own system
// account's (the event's source names the sending service).
using ServiceTokenProvider = std::function<absl::StatusOr<std::string>(absl::string_view service)>;

// EventSink over gRPC: calls EventInbox.Deliver on the target's address,
// authenticated as the sending service.
class GrpcEventSink final : public EventSink {
 public:
  GrpcEventSink(const std::string& address, const ServiceTokenProvider* tokens,
                std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials());
  absl::Status Deliver(const event::v1::EventEnvelope& event, absl::Duration timeout) override;

 private:
  std::unique_ptr<event::v1::EventInbox::Stub> stub_;
  const ServiceTokenProvider* tokens_;
};

// Resolves targets to sinks by address, creating each sink once.
class GrpcSinkDirectory {
 public:
  explicit GrpcSinkDirectory(std::map<std::string, std::string> addresses = {}) : addresses_(std::move(addresses)) {}
  EventSink* Get(absl::string_view target);
  // Replaces the address book (sinks already made keep their address).
  void SetAddresses(std::map<std::string, std::string> addresses);
  // Sets how senders obtain their tokens; call before the relays start.
  void SetTokenProvider(ServiceTokenProvider tokens) { tokens_ = std::move(tokens); }
  // Sets the channel credentials (TLS) of the senders; call before the
  // relays start. Default: plaintext.
  void SetCredentials(std::shared_ptr<grpc::ChannelCredentials> credentials) { credentials_ = std::move(credentials); }

 private:
  std::map<std::string, std::string> addresses_;
  ServiceTokenProvider tokens_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_ = grpc::InsecureChannelCredentials();
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<GrpcEventSink>, std::less<>> sinks_ ABSL_GUARDED_BY(mu_);
};

// kla.event.v1.EventInbox for one process: routes each event to the consumer
// of its target service, if this process hosts it.
// Only kla services may deliver events.
auth::AccessTable EventInboxAccessRules();

class EventInboxService final : public event::v1::EventInbox::Service {
 public:
  explicit EventInboxService(rpc::CallPolicy policy) : policy_(policy) {}
  void AddConsumer(const std::string& target, EventConsumer* consumer) { consumers_[target] = consumer; }

  grpc::Status Deliver(grpc::ServerContext* ctx, const event::v1::DeliverRequest* req,
                       event::v1::DeliverResponse* resp) override;

 private:
  rpc::CallPolicy policy_;
  std::map<std::string, EventConsumer*> consumers_;
};

}  // namespace kla::outbox
