#include "libs/rpc/call_context.h"

#include "libs/rpc/error_mapping.h"

namespace kla::rpc {

absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx, const CallPolicy& policy) {
  const absl::Time now = policy.clock->Now();
  const auto client = ctx.deadline();
  const absl::Time cap = now + policy.max_deadline;
  if (client == std::chrono::system_clock::time_point::max()) return now + policy.default_deadline;
  return std::min(absl::FromChrono(client), cap);
}

CallContext MakeCallContext(const grpc::ServerContextBase& ctx, const CallPolicy& policy) {
  CallContext call;
  call.deadline = EffectiveDeadline(ctx, policy);
  call.caller = ctx.peer();
  return call;
}

grpc::Status DeadlineExceeded() { return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"); }

grpc::Status MapStatus(const absl::Status& status) { return ToGrpcStatus(status); }

}  // namespace kla::rpc
