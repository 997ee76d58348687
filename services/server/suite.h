#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/access.h"
#include "libs/auth/token.h"
#include "libs/auth/token_source.h"
#include "libs/common/secret_box.h"
#include "libs/gateway/http_gateway.h"
#include "libs/outbox/grpc/grpc_event.h"
#include "libs/redis/redis_client.h"
#include "libs/rpc/guard.h"
#include "libs/rpc/server_host.h"
#include "libs/rpc/streams.h"
#include "libs/storage/database.h"
#include "services/registry/registry_module.h"
#include "services/registry/remote/remote_auth.h"
#include "services/server/server_config.h"

namespace kla::server {

// Everything one kla-server process runs, assembled from its configuration:
// databases, the hosted service modules, the token verifier and access
// rules every call passes, the event inbox, and the gRPC server. main and
// the in-process tests build the same thing through this class.
class Suite {
 public:
  // Opens databases, migrates and wires the modules, checks that every RPC
  // served has an access rule. Nothing listens yet.
  static absl::StatusOr<std::unique_ptr<Suite>> Create(const ServerConfig& config,
                                                       const Clock* clock = SystemClock::Get());
  ~Suite();

  // Syncs token keys from a remote registry if there is one, listens,
  // learns the bound port (this process's address for the relays), and
  // starts the modules' background work.
  absl::Status Start();
  // Health NOT_SERVING, drain, stop. Idempotent.
  void Shutdown();
  int port() const { return host_->port(); }
  // The HTTP/JSON port (--http-listen); 0 when not serving HTTP.
  int http_port() const { return http_ != nullptr ? http_->port() : 0; }

  // The verifier of incoming tokens (tests add their own keys to it).
  auth::TokenVerifier& verifier() { return verifier_; }
  const auth::AccessPolicy& access() const { return access_; }
  const std::vector<std::unique_ptr<rpc::ServiceModule>>& modules() const { return modules_; }
  // The registry module when hosted here, else nullptr.
  registry::RegistryModule* registry() const { return registry_; }
  // Every kla gRPC service this process serves (fully qualified names).
  std::vector<std::string> served_services() const;

 private:
  Suite(ServerConfig config, ResolvedConfig resolved, const Clock* clock);
  absl::Status Wire();
  // One database per distinct URL; by service.
  absl::StatusOr<std::map<std::string, storage::Database*>> OpenDatabases();
  absl::StatusOr<std::unique_ptr<rpc::ServiceModule>> MakeModule(const std::string& service, storage::Database* db,
                                                                 const rpc::CallPolicy& policy);
  // The event inbox and the access rules of every module, checked complete.
  absl::Status RegisterModules(const rpc::CallPolicy& policy);
  // Token checks against a remote registry, and how events are sent.
  absl::Status ConnectToOtherServices();
  absl::Status OpenSecrets();
  void WarnAboutOpenFiles() const;
  absl::StatusOr<std::string> ServiceToken(absl::string_view service);
  // A channel to another service, by the addresses known after Start.
  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& service);

  ServerConfig config_;
  ResolvedConfig resolved_;
  const Clock* clock_;
  std::optional<SecretBox> secrets_;  // --secrets-key-file
  auth::TokenVerifier verifier_;
  auth::AccessPolicy access_;
  rpc::Guard guard_{&verifier_, &access_};
  std::unique_ptr<rpc::StreamTracker> streams_;
  std::map<std::string, std::unique_ptr<storage::Database>> databases_;
  outbox::GrpcSinkDirectory sinks_;
  std::unique_ptr<redis::RedisClient> cache_;
  std::vector<std::unique_ptr<rpc::ServiceModule>> modules_;
  registry::RegistryModule* registry_ = nullptr;
  std::unique_ptr<registry::RemoteRegistryAuth> remote_auth_;
  // The clients of other services this process calls: their tokens,
  // addresses and channels (made on first use).
  absl::Mutex clients_mu_;
  std::map<std::string, std::unique_ptr<auth::CachedToken>, std::less<>> service_tokens_ ABSL_GUARDED_BY(clients_mu_);
  std::map<std::string, std::string> addresses_ ABSL_GUARDED_BY(clients_mu_);
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(clients_mu_);
  std::unique_ptr<outbox::EventInboxService> inbox_;
  std::unique_ptr<rpc::ServerHost> host_;
  std::unique_ptr<gateway::HttpGateway> http_;

  // HTTP/JSON for the services hosted here, over an in-process channel to
  // host_ (ADR 0017); none without --http-listen.
  absl::Status StartHttp();
};

}  // namespace kla::server
