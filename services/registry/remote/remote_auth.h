#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "libs/auth/token.h"
#include "libs/auth/token_source.h"
#include "libs/common/periodic_worker.h"

namespace kla::registry {

// For a process that does not host the registry: keeps the process's token
// verifier in step with the registry's signing keys and revocations (so
// rotation and revocation reach it within one refresh interval), and signs
// the process's own system account in with its API key for outbound calls.
class RemoteRegistryAuth {
 public:
  RemoteRegistryAuth(std::shared_ptr<grpc::Channel> registry, std::string api_key, auth::TokenVerifier* verifier,
                     const Clock* clock, absl::Duration refresh, absl::Duration call_timeout = absl::Seconds(5));
  ~RemoteRegistryAuth() { Stop(); }

  // Reads keys and revocations once. UNAVAILABLE when the registry cannot be
  // reached.
  absl::Status SyncOnce();
  // Syncs (retrying with backoff while the registry starts, up to `wait`),
  // then keeps syncing in the background.
  absl::Status Start(absl::Duration wait);
  void Stop();

  // This process's token (cached until a third of its lifetime is left).
  absl::StatusOr<std::string> Token() { return token_.Get(); }

 private:
  absl::StatusOr<auth::ExpiringToken> Login();
  void Sync();

  std::unique_ptr<v1::AccountService::Stub> stub_;
  std::string api_key_;
  auth::TokenVerifier* verifier_;
  const Clock* clock_;
  absl::Duration refresh_;
  absl::Duration call_timeout_;
  auth::CachedToken token_;
  std::set<std::string> published_kids_;  // only the sync thread touches it after Start

  PeriodicWorker sync_{{.interval = refresh_, .first_pass_at_start = false}, [this] { Sync(); }};
};

}  // namespace kla::registry
