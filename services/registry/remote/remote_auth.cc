#include "services/registry/remote/remote_auth.h"

#include <google/protobuf/util/time_util.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/call_deadline.h"
#include "libs/common/log.h"
#include "libs/kernel/time.h"
#include "libs/rpc/error_mapping.h"

namespace kla::registry {
namespace {}  // namespace

RemoteRegistryAuth::RemoteRegistryAuth(std::shared_ptr<grpc::Channel> registry, std::string api_key,
                                       auth::TokenVerifier* verifier, const Clock* clock, absl::Duration refresh,
                                       absl::Duration call_timeout)
    : stub_(v1::AccountService::NewStub(std::move(registry))),
      api_key_(std::move(api_key)),
      verifier_(verifier),
      clock_(clock),
      refresh_(refresh),
      call_timeout_(call_timeout),
      token_([this] { return Login(); }, clock) {}

absl::StatusOr<auth::ExpiringToken> RemoteRegistryAuth::Login() {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(OutboundDeadline(call_timeout_)));
  v1::LoginWithApiKeyRequest req;
  req.set_api_key(api_key_);
  v1::LoginResponse resp;
  grpc::Status s = stub_->LoginWithApiKey(&ctx, req, &resp);
  if (!s.ok()) return rpc::FromGrpcStatus(s);
  return auth::ExpiringToken{resp.token(), FromProtoTime(resp.expire_time())};
}

absl::Status RemoteRegistryAuth::SyncOnce() {
  v1::ListSigningKeysResponse keys;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(OutboundDeadline(call_timeout_)));
    grpc::Status s = stub_->ListSigningKeys(&ctx, v1::ListSigningKeysRequest(), &keys);
    if (!s.ok()) return rpc::FromGrpcStatus(s);
  }
  std::set<std::string> live;
  for (const auto& k : keys.keys()) {
    absl::Status st = verifier_->AddKey(k.public_key_pem());
    if (!st.ok()) return st;
    live.insert(k.kid());
  }
  for (const std::string& kid : published_kids_) {
    if (!live.contains(kid)) verifier_->RemoveKey(kid);
  }
  published_kids_ = live;
  auto token = token_.Get();
  if (!token.ok()) return token.status();
  v1::ListRevocationsResponse revocations;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(OutboundDeadline(call_timeout_)));
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  grpc::Status s = stub_->ListRevocations(&ctx, v1::ListRevocationsRequest(), &revocations);
  if (!s.ok()) {
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) token_.Invalidate();
    return rpc::FromGrpcStatus(s);
  }
  std::map<std::string, int64_t> min_generation;
  for (const auto& r : revocations.revocations()) min_generation[r.name()] = r.min_generation();
  verifier_->SetRevocations(std::move(min_generation));
  return absl::OkStatus();
}

absl::Status RemoteRegistryAuth::Start(absl::Duration wait) {
  const absl::Time give_up = clock_->Now() + wait;
  absl::Duration backoff = absl::Milliseconds(100);
  absl::Status st = SyncOnce();
  while (!st.ok() && clock_->Now() < give_up) {
    log::Warn("registry not reachable yet for token keys; retrying", {{"error", st.ToString()}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
    st = SyncOnce();
  }
  if (!st.ok()) return absl::UnavailableError(absl::StrCat("cannot get token keys from the registry: ", st.message()));
  sync_.Start();
  return absl::OkStatus();
}

void RemoteRegistryAuth::Stop() { sync_.Stop(); }

void RemoteRegistryAuth::Sync() {
  absl::Status st = SyncOnce();
  if (!st.ok()) log::Warn("token keys not refreshed from the registry", {{"error", st.ToString()}});
}

}  // namespace kla::registry
