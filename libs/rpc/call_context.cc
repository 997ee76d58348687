#include "libs/rpc/call_context.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/rpc/error_mapping.h"
#include "libs/rpc/field_limits.h"

namespace kla::rpc {

absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx, const CallPolicy& policy) {
  const absl::Time now = policy.deadline_clock->Now();
  const auto client = ctx.deadline();
  const absl::Time cap = now + policy.max_deadline;
  if (client == std::chrono::system_clock::time_point::max()) return now + policy.default_deadline;
  return std::min(absl::FromChrono(client), cap);
}

absl::StatusOr<CallContext> MakeCallContext(const grpc::ServerContextBase& ctx, const CallPolicy& policy,
                                            const google::protobuf::Message& request) {
  if (policy.guard == nullptr) return absl::InternalError("no access policy configured");
  auto principal = policy.guard->Admit(ctx, request);
  if (!principal.ok()) return principal.status();
  KLA_RETURN_IF_ERROR(CheckFieldLimits(request));
  CallContext call;
  call.deadline = EffectiveDeadline(ctx, policy);
  call.principal = *std::move(principal);
  call.caller = call.principal.anonymous() ? "anonymous" : call.principal.subject;
  call.peer_address = PeerAddress(PeerOf(ctx));
  return call;
}

absl::StatusOr<std::unique_ptr<StreamLease>> OpenStream(grpc::ServerContextBase* ctx, const CallPolicy& policy) {
  if (policy.guard == nullptr) return absl::InternalError("no access policy configured");
  auto principal = policy.guard->Authenticate(*ctx);
  if (!principal.ok()) return principal.status();
  static auto* const kUnlimited = new StreamTracker(
      StreamLimits{.per_account = std::numeric_limits<int>::max(), .total = std::numeric_limits<int>::max()});
  StreamTracker* streams = policy.streams != nullptr ? policy.streams : kUnlimited;
  const std::string account =
      principal->anonymous() ? absl::StrCat("address ", PeerAddress(PeerOf(*ctx))) : principal->subject;
  return streams->Open(ctx, account);
}

grpc::Status DeadlineExceeded() { return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"); }

grpc::Status MapStatus(const absl::Status& status) { return ToGrpcStatus(status); }

grpc::Status ClientWentAway() { return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"); }

grpc::Status StreamIdle(absl::string_view resume) {
  return grpc::Status(grpc::StatusCode::CANCELLED, absl::StrCat("the stream was idle too long: ", resume));
}

absl::Time StreamDeadline(const grpc::ServerContextBase& ctx) {
  if (ctx.deadline() == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(ctx.deadline());
}

absl::Time RealDeadline(absl::Time deadline, const CallPolicy& policy) {
  if (deadline == absl::InfiniteFuture()) return deadline;
  return absl::Now() + (deadline - policy.deadline_clock->Now());
}

}  // namespace kla::rpc
