#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace kla::rpc {

// What every handler knows about the call it serves, handed to the domain
// as plain data (no gRPC types): the effective deadline and who is calling.
struct CallContext {
  // The client's deadline, or now + the server's default deadline when the
  // client set none (or a later one than the server allows).
  absl::Time deadline = absl::InfiniteFuture();
  // The caller as the logs show it.
  std::string caller;
};

// Server-wide call policy.
struct CallPolicy {
  // Applied to calls that arrive without a deadline.
  absl::Duration default_deadline = absl::Seconds(30);
  // Longest deadline honoured (streaming exports raise it per method).
  absl::Duration max_deadline = absl::Minutes(10);
  const Clock* clock = SystemClock::Get();
};

// The deadline this server enforces for `ctx`: the client's, bounded by the
// policy; the default when the client set none.
absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx, const CallPolicy& policy);

// Builds the CallContext for a call.
CallContext MakeCallContext(const grpc::ServerContextBase& ctx, const CallPolicy& policy);

// Runs a unary handler body under the policy: returns DEADLINE_EXCEEDED
// without running `body` when the deadline has already passed, maps the
// body's status through ToGrpcStatus, and reports DEADLINE_EXCEEDED when the
// body finished only after the deadline (its result is then discarded by
// the client anyway).
template <typename Body>
grpc::Status RunUnary(grpc::ServerContext* ctx, const CallPolicy& policy, Body&& body);

// The common handler shape: run `body` (returning absl::StatusOr<T>) under
// RunUnary and hand its value to `reply`, which fills the response.
template <typename Body, typename Reply>
grpc::Status Respond(grpc::ServerContext* ctx, const CallPolicy& policy, Body&& body, Reply&& reply);

grpc::Status DeadlineExceeded();
grpc::Status MapStatus(const absl::Status& status);

template <typename Body>
grpc::Status RunUnary(grpc::ServerContext* ctx, const CallPolicy& policy, Body&& body) {
  const CallContext call = MakeCallContext(*ctx, policy);
  if (policy.clock->Now() >= call.deadline) return DeadlineExceeded();
  absl::Status status = body(call);
  if (status.ok() && policy.clock->Now() > call.deadline) return DeadlineExceeded();
  return MapStatus(status);
}

template <typename Body, typename Reply>
grpc::Status Respond(grpc::ServerContext* ctx, const CallPolicy& policy, Body&& body, Reply&& reply) {
  return RunUnary(ctx, policy, [&](const CallContext& call) -> absl::Status {
    auto result = body(call);
    if (!result.ok()) return result.status();
    reply(*std::move(result));
    return absl::OkStatus();
  });
}

}  // namespace kla::rpc
