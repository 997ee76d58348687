#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "libs/common/call_deadline.h"
#include "libs/common/clock.h"
#include "libs/rpc/guard.h"
#include "libs/rpc/peer.h"
#include "libs/rpc/streams.h"

namespace kla::rpc {

// What every handler knows about the call it serves, handed to the domain
// as plain data (no gRPC types): the effective deadline and who is calling.
struct CallContext {
  // The client's deadline, or now + the server's default deadline when the
  // client set none (or a later one than the server allows).
  absl::Time deadline = absl::InfiniteFuture();
  // Who is calling, as admitted by the guard.
  auth::Principal principal;
  // The caller as audit trails and logs name it: the account name, or
  // "anonymous".
  std::string caller;
  // The client's IP address ("127.0.0.1", "::1"); empty if not an IP peer.
  // Behind a proxy it is the proxy's; over HTTP/JSON, the HTTP client's.
  std::string peer_address;
};

// Server-wide call policy.
struct CallPolicy {
  // Applied to calls that arrive without a deadline.
  absl::Duration default_deadline = absl::Seconds(30);
  // Longest deadline honoured (streaming exports raise it per method).
  absl::Duration max_deadline = absl::Minutes(10);
  // Business time: windows, deadlines of the evaluation, token expiry.
  const Clock* clock = SystemClock::Get();
  // Time for call deadlines, which the client measures in real time; a test
  // may move business time by weeks without every call timing out.
  const Clock* deadline_clock = SystemClock::Get();
  // Authenticates and authorizes every call. Required: a call under a
  // policy without a guard is refused (fail closed).
  const Guard* guard = nullptr;
  // Admits streaming calls and ends them when idle or too old. Without one
  // (handler tests), streams are not limited.
  StreamTracker* streams = nullptr;
};

// The deadline this server enforces for `ctx`: the client's, bounded by the
// policy; the default when the client set none.
absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx, const CallPolicy& policy);

// Builds the CallContext for a call: its deadline, and its caller admitted
// by the policy's guard for `request`; INVALID_ARGUMENT when a field of
// `request` exceeds the bound its contract declares (CheckFieldLimits).
absl::StatusOr<CallContext> MakeCallContext(const grpc::ServerContextBase& ctx, const CallPolicy& policy,
                                            const google::protobuf::Message& request);

// Admits a streaming call before its first message is read: the caller's
// token (UNAUTHENTICATED when bad) and a stream lease for its account, or
// for its address when anonymous (RESOURCE_EXHAUSTED when at the limit).
// The access rule is checked as usual once the request is known.
absl::StatusOr<std::unique_ptr<StreamLease>> OpenStream(grpc::ServerContextBase* ctx, const CallPolicy& policy);

// The handler helpers: every handler runs through one of them, so every
// call is admitted, bounded, timed and mapped the same way.
//
// RunUnary: a unary body returning absl::Status, under the policy: admits
// the caller through the guard (UNAUTHENTICATED / PERMISSION_DENIED without
// running `body`), returns DEADLINE_EXCEEDED without running `body` when
// the deadline has already passed, maps the body's status through
// ToGrpcStatus, and reports DEADLINE_EXCEEDED when the body finished only
// after the deadline (its result is then discarded by the client anyway).
// The guard and the body run under the call's deadline
// (ScopedCallDeadline): every outbound call they make ends by then.
template <typename Body>
grpc::Status RunUnary(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                      Body&& body);

// Respond: the common unary shape: run `body` (returning absl::StatusOr<T>)
// under RunUnary and hand its value to `reply`, which fills the response.
template <typename Body, typename Reply>
grpc::Status Respond(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                     Body&& body, Reply&& reply);

// ServeStream: a server-streaming body(call, lease) returning absl::Status,
// after the call is admitted (as RunUnary) and given a stream lease. Outbound
// calls end by the client's deadline when it set one (a stream's own
// lifetime is the lease's). A body that stops because the client went away
// (CANCELLED, or the call cancelled) ends with ClientWentAway().
template <typename Body>
grpc::Status ServeStream(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                         Body&& body);

// The statuses of a stream that ended early, one wording each (CANCELLED):
// its client went away, or the server cut it for being idle (`resume` says
// how to go on).
grpc::Status ClientWentAway();
grpc::Status StreamIdle(absl::string_view resume);

// The deadline outbound calls of a stream end by: the client's, when it
// set one; else none (the stream's lifetime is its lease's).
absl::Time StreamDeadline(const grpc::ServerContextBase& ctx);

// `deadline`, measured on the policy's deadline clock, in real time.
absl::Time RealDeadline(absl::Time deadline, const CallPolicy& policy);

grpc::Status DeadlineExceeded();
grpc::Status MapStatus(const absl::Status& status);

template <typename Body>
grpc::Status RunUnary(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                      Body&& body) {
  const ScopedCallDeadline scoped(RealDeadline(EffectiveDeadline(*ctx, policy), policy));
  auto made = MakeCallContext(*ctx, policy, request);
  if (!made.ok()) return MapStatus(made.status());
  const CallContext& call = *made;
  if (policy.deadline_clock->Now() >= call.deadline) return DeadlineExceeded();
  absl::Status status = body(call);
  if (status.ok() && policy.deadline_clock->Now() > call.deadline) return DeadlineExceeded();
  return MapStatus(status);
}

template <typename Body, typename Reply>
grpc::Status Respond(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                     Body&& body, Reply&& reply) {
  return RunUnary(ctx, policy, request, [&](const CallContext& call) -> absl::Status {
    auto result = body(call);
    if (!result.ok()) return result.status();
    reply(*std::move(result));
    return absl::OkStatus();
  });
}

template <typename Body>
grpc::Status ServeStream(grpc::ServerContext* ctx, const CallPolicy& policy, const google::protobuf::Message& request,
                         Body&& body) {
  const ScopedCallDeadline scoped(StreamDeadline(*ctx));
  auto call = MakeCallContext(*ctx, policy, request);
  if (!call.ok()) return MapStatus(call.status());
  auto lease = OpenStream(ctx, policy);
  if (!lease.ok()) return MapStatus(lease.status());
  absl::Status status = body(*call, **lease);
  if (status.code() == absl::StatusCode::kCancelled || (!status.ok() && ctx->IsCancelled())) return ClientWentAway();
  return MapStatus(status);
}

}  // namespace kla::rpc
