#include "libs/outbox/grpc/grpc_event.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/call_deadline.h"
#include "libs/common/errors.h"
#include "libs/rpc/error_mapping.h"

namespace kla::outbox {

namespace {

std::shared_ptr<grpc::Channel> RelayChannel(const std::string& address,
                                            const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  // Reconnect quickly after a receiver restarts: the relay is the only
  // client on this channel and retries on its own schedule anyway.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace

GrpcEventSink::GrpcEventSink(const std::string& address, const ServiceTokenProvider* tokens,
                             std::shared_ptr<grpc::ChannelCredentials> credentials)
    : stub_(event::v1::EventInbox::NewStub(RelayChannel(address, credentials))), tokens_(tokens) {}

absl::Status GrpcEventSink::Deliver(const event::v1::EventEnvelope& event, absl::Duration timeout) {
  grpc::ClientContext ctx;
  if (tokens_ != nullptr && *tokens_) {
    // No token (registry unreachable): the event stays in the outbox and is
    // retried on the relay's schedule.
    auto token = (*tokens_)(event.source());
    if (!token.ok()) {
      return absl::UnavailableError(absl::StrCat("no token for ", event.source(), ": ", token.status().message()));
    }
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  }
  ctx.set_deadline(absl::ToChronoTime(OutboundDeadline(timeout)));
  // Wait (up to the deadline) for a connection instead of failing at once
  // while the receiver restarts.
  ctx.set_wait_for_ready(true);
  event::v1::DeliverRequest req;
  *req.mutable_event() = event;
  event::v1::DeliverResponse resp;
  return rpc::FromGrpcStatus(stub_->Deliver(&ctx, req, &resp));
}

EventSink* GrpcSinkDirectory::Get(absl::string_view target) {
  absl::MutexLock lock(&mu_);
  auto it = sinks_.find(target);
  if (it != sinks_.end()) return it->second.get();
  auto addr = addresses_.find(std::string(target));
  if (addr == addresses_.end() || addr->second.empty()) return nullptr;
  auto sink = std::make_unique<GrpcEventSink>(addr->second, &tokens_, credentials_);
  EventSink* raw = sink.get();
  sinks_.emplace(std::string(target), std::move(sink));
  return raw;
}

void GrpcSinkDirectory::SetAddresses(std::map<std::string, std::string> addresses) {
  absl::MutexLock lock(&mu_);
  addresses_ = std::move(addresses);
}

auth::AccessTable EventInboxAccessRules() {
  return {{.method = "kla.event.v1.EventInbox.Deliver", .roles = {auth::Role::kService}}};
}

grpc::Status EventInboxService::Deliver(grpc::ServerContext* ctx, const event::v1::DeliverRequest* req,
                                        event::v1::DeliverResponse* resp) {
  return rpc::RunUnary(ctx, policy_, *req, [&](const rpc::CallContext&) -> absl::Status {
    const auto& e = req->event();
    Violations v;
    if (e.event_id().empty()) v.Add("event.event_id", "required");
    if (e.target().empty()) v.Add("event.target", "required");
    if (e.payload().type_url().empty()) v.Add("event.payload", "required");
    if (!v.empty()) return v.ToStatus("invalid event");
    auto it = consumers_.find(e.target());
    if (it == consumers_.end()) return NotFound("service", e.target());
    auto duplicate = it->second->Consume(e);
    if (!duplicate.ok()) return duplicate.status();
    resp->set_duplicate(*duplicate);
    return absl::OkStatus();
  });
}

}  // namespace kla::outbox
