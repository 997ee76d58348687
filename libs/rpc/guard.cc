#include "libs/rpc/guard.h"

#include "absl/strings/match.h"
#include "libs/common/errors.h"
#include "libs/common/log.h"
#include "libs/rpc/peer.h"

namespace kla::rpc {

absl::StatusOr<std::string> BearerToken(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::string();
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) {
    return WithReason(absl::UnauthenticatedError("authorization must be \"Bearer <token>\""), "TOKEN_INVALID");
  }
  return std::string(value.substr(kScheme.size()));
}

absl::StatusOr<auth::Principal> Guard::Authenticate(const grpc::ServerContextBase& ctx) const {
  auto token = BearerToken(ctx);
  if (!token.ok()) return token.status();
  if (token->empty()) return auth::Principal::Anonymous();
  return verifier_->Verify(*token);
}

absl::StatusOr<auth::Principal> Guard::Admit(const grpc::ServerContextBase& ctx,
                                             const google::protobuf::Message& request) const {
  auto authenticated = Authenticate(ctx);
  if (!authenticated.ok()) return authenticated.status();
  auth::Principal principal = *std::move(authenticated);
  const auth::AccessDecision decision = access_->Check(principal, request);
  switch (decision.verdict) {
    case auth::AccessDecision::kAllow:
      return principal;
    case auth::AccessDecision::kUnauthenticated:
      return WithReason(absl::UnauthenticatedError(decision.reason), decision.code);
    case auth::AccessDecision::kDenied:
      break;
  }
  const auth::AccessRule* rule = access_->RuleForRequest(request.GetDescriptor());
  log::Warn("permission denied", {{"subject", principal.subject},
                                  {"role", auth::RoleName(principal.role)},
                                  {"method", rule != nullptr ? rule->method : request.GetDescriptor()->full_name()},
                                  {"scope", rule != nullptr ? access_->ScopeOf(*rule, request) : std::string()},
                                  {"reason", decision.reason},
                                  {"peer", PeerOf(ctx)}});
  std::map<std::string, std::string> facts = {{"role", std::string(auth::RoleName(principal.role))}};
  if (!decision.region.empty()) facts["region"] = decision.region;
  return WithReason(absl::PermissionDeniedError(decision.reason), decision.code, std::move(facts));
}

}  // namespace kla::rpc
