#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "libs/auth/access.h"
#include "libs/auth/token.h"

namespace kla::rpc {

// Authentication and authorization of every call, in one place: the bearer
// token (if any) is verified locally, and the call is checked against the
// declared access rules of the services this process hosts.
class Guard {
 public:
  Guard(const auth::TokenVerifier* verifier, const auth::AccessPolicy* access) : verifier_(verifier), access_(access) {}

  // The caller admitted to the RPC of `request`. UNAUTHENTICATED for a bad
  // token, or none where the RPC is not public; PERMISSION_DENIED (logged
  // with who, what and why) for a role or region the rule does not admit.
  absl::StatusOr<auth::Principal> Admit(const grpc::ServerContextBase& ctx,
                                        const google::protobuf::Message& request) const;

  // The caller of `ctx` by its token alone (anonymous without one), for
  // streams whose request, and so its access rule, comes later.
  // UNAUTHENTICATED for a bad token.
  absl::StatusOr<auth::Principal> Authenticate(const grpc::ServerContextBase& ctx) const;

  const auth::AccessPolicy& access() const { return *access_; }

 private:
  const auth::TokenVerifier* verifier_;
  const auth::AccessPolicy* access_;
};

// The bearer token of a call's "authorization" metadata; empty when absent.
// UNAUTHENTICATED when the header is there but not "Bearer <token>".
absl::StatusOr<std::string> BearerToken(const grpc::ServerContextBase& ctx);

}  // namespace kla::rpc
