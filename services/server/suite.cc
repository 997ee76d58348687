#include "services/server/suite.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.pb.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "services/notification/notification_module.h"
#include "services/scoring/scoring_module.h"
#include "services/server/openapi_document.h"
#include "services/submission/submission_module.h"

namespace kla::server {

Suite::Suite(ServerConfig config, ResolvedConfig resolved, const Clock* clock)
    : config_(std::move(config)), resolved_(std::move(resolved)), clock_(clock), verifier_(clock) {}

Suite::~Suite() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Suite>> Suite::Create(const ServerConfig& config, const Clock* clock) {
  KLA_ASSIGN_OR_RETURN(ResolvedConfig resolved, Resolve(config));
  std::unique_ptr<Suite> suite(new Suite(config, std::move(resolved), clock));
  KLA_RETURN_IF_ERROR(suite->Wire());
  return suite;
}

absl::Status Suite::OpenSecrets() {
  if (config_.secrets_key_file.empty()) {
    log::Warn("no --secrets-key-file: secrets are stored in clear and page tokens do not survive a restart", {});
    return absl::OkStatus();
  }
  auto opened = SecretBox::FromKeyFile(config_.secrets_key_file);
  if (!opened.ok()) return absl::InvalidArgumentError(absl::StrCat("--secrets-key-file: ", opened.status().message()));
  secrets_ = *std::move(opened);
  // Replicas share the key file, so each accepts the others' page tokens.
  SetPageTokenKey(secrets_->DeriveKey("page tokens"));
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, storage::Database*>> Suite::OpenDatabases() {
  // One connection pool per distinct URL: with PostgreSQL all services share it.
  std::map<std::string, storage::Database*> db_of;
  for (const auto& [service, url] : resolved_.db_urls) {
    if (!databases_.contains(url)) {
      auto db = storage::OpenDatabase(url, {.pool_size = config_.db_pool_size});
      if (!db.ok()) {
        return absl::Status(db.status().code(), absl::StrCat("database for ", service, ": ", db.status().message()));
      }
      log::Info("database open", {{"service", service}, {"url", (*db)->Describe()}});
      databases_[url] = *std::move(db);
    }
    db_of[service] = databases_[url].get();
  }
  return db_of;
}

absl::StatusOr<std::unique_ptr<rpc::ServiceModule>> Suite::MakeModule(const std::string& s, storage::Database* db,
                                                                      const rpc::CallPolicy& policy) {
  if (s == "registry") {
    registry::RegistryOptions options{
        .accounts = {.token_ttl = resolved_.token_ttl, .sign_in = {.concurrent_hashes = config_.sign_in_concurrency}},
        .auth_refresh = resolved_.auth_refresh,
        .regions_dir = config_.regions_dir,
        .first_admin_file = config_.first_admin_file,
        .secrets = secrets_ ? &*secrets_ : nullptr};
    auto r = registry::RegistryModule::Create(db, policy, &sinks_, &verifier_, std::move(options));
    if (r.ok()) registry_ = r->get();
    return r;
  }
  if (s == "submission") {
    return submission::SubmissionModule::Create(
        db, policy, &sinks_, [this] { return ChannelTo("registry"); }, [this] { return ServiceToken("submission"); },
        config_.evidence_dir,
        submission::EvidenceLimits{.region_evidence_quota_bytes = int64_t{config_.evidence_quota_mib} << 20,
                                   .staged_upload_lifetime = resolved_.upload_expiry});
  }
  if (s == "scoring") {
    return scoring::ScoringModule::Create(
        db, policy, &sinks_, [this] { return ChannelTo("registry"); }, [this] { return ServiceToken("scoring"); },
        cache_.get());
  }
  notification::NotificationModule::Options options;
  options.reminder_days = resolved_.reminder_days;
  options.delivery.timeout = resolved_.webhook_timeout;
  options.delivery.addresses = resolved_.webhook_addresses;
  options.secrets = secrets_ ? &*secrets_ : nullptr;
  return notification::NotificationModule::Create(
      db, policy, &sinks_, [this] { return ChannelTo("registry"); }, [this] { return ChannelTo("submission"); },
      [this] { return ServiceToken("notification"); }, config_.templates_file, std::move(options));
}

absl::Status Suite::RegisterModules(const rpc::CallPolicy& policy) {
  inbox_ = std::make_unique<outbox::EventInboxService>(policy);
  KLA_RETURN_IF_ERROR(access_.Add(outbox::EventInboxAccessRules()));
  for (auto& m : modules_) {
    if (auto* c = m->event_consumer()) inbox_->AddConsumer(m->name(), c);
    KLA_RETURN_IF_ERROR(access_.Add(m->access_rules()));
  }
  // Fail closed at start: an RPC without a rule would be refused to everyone
  // at run time; better not to start at all.
  for (const std::string& name : served_services()) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) return absl::InternalError(absl::StrCat("no descriptor for ", name));
    KLA_RETURN_IF_ERROR(access_.CheckCovers(service));
  }
  return absl::OkStatus();
}

absl::Status Suite::ConnectToOtherServices() {
  if (registry_ == nullptr) {  // tokens are checked against the registry elsewhere
    KLA_ASSIGN_OR_RETURN(std::string key, ReadWholeFile(config_.service_api_key_file));
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
    remote_auth_ = std::make_unique<registry::RemoteRegistryAuth>(
        grpc::CreateChannel(resolved_.addresses.at("registry"), rpc::ChannelCredentials(resolved_.tls)), key,
        &verifier_, clock_, resolved_.auth_refresh);
  }
  sinks_.SetTokenProvider([this](absl::string_view service) { return ServiceToken(service); });
  sinks_.SetCredentials(rpc::ChannelCredentials(resolved_.tls));
  return absl::OkStatus();
}

absl::Status Suite::Wire() {
  // gRPC's built-in health service registers no descriptor: this one lets
  // reflection describe grpc.health.v1.Health to tools like grpcurl.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  KLA_RETURN_IF_ERROR(OpenSecrets());
  verifier_.set_max_lifetime(resolved_.token_max_lifetime);
  KLA_ASSIGN_OR_RETURN(auto db_of, OpenDatabases());
  WarnAboutOpenFiles();
  if (!config_.redis.empty()) {
    cache_ = std::make_unique<redis::RedisClient>(redis::RedisOptions{.address = config_.redis});
  }
  // Streams get at most half the handler threads: unary calls always have
  // the other half.
  streams_ = std::make_unique<rpc::StreamTracker>(rpc::StreamLimits{.idle_timeout = resolved_.stream_idle_timeout,
                                                                    .max_lifetime = resolved_.stream_max_lifetime,
                                                                    .per_account = config_.streams_per_account,
                                                                    .total = config_.max_threads / 2});
  const rpc::CallPolicy policy{
      .default_deadline = resolved_.default_deadline, .clock = clock_, .guard = &guard_, .streams = streams_.get()};
  for (const auto& s : resolved_.services) {
    auto m = MakeModule(s, db_of[s], policy);
    if (!m.ok()) return absl::Status(m.status().code(), absl::StrCat("service ", s, ": ", m.status().message()));
    modules_.push_back(*std::move(m));
  }
  KLA_RETURN_IF_ERROR(RegisterModules(policy));
  KLA_RETURN_IF_ERROR(ConnectToOtherServices());
  std::vector<rpc::ServiceModule*> raw;
  for (auto& m : modules_) raw.push_back(m.get());
  host_ =
      std::make_unique<rpc::ServerHost>(rpc::ServerHostOptions{.listen_address = config_.listen,
                                                               .shutdown_grace = resolved_.shutdown_grace,
                                                               .max_threads = config_.max_threads,
                                                               .credentials = rpc::ServerCredentials(resolved_.tls)},
                                        raw, std::vector<grpc::Service*>{inbox_.get()});
  return absl::OkStatus();
}

void Suite::WarnAboutOpenFiles() const {
  std::vector<std::string> paths = {config_.secrets_key_file, config_.service_api_key_file, config_.evidence_dir};
  for (const auto& [service, url] : resolved_.db_urls) {
    if (absl::StartsWith(url, "sqlite:")) paths.push_back(url.substr(7));
  }
  for (const std::string& path : paths) {
    if (!path.empty() && AccessibleByOthers(path)) {
      log::Warn("a data or key file is accessible to other users of this machine: make it owner-only (chmod go-rwx)",
                {{"path", path}});
    }
  }
}

std::vector<std::string> Suite::served_services() const {
  std::vector<std::string> out = {event::v1::EventInbox::service_full_name()};
  for (const auto& m : modules_) {
    for (const auto& n : m->grpc_service_names()) out.push_back(n);
  }
  return out;
}

absl::StatusOr<std::string> Suite::ServiceToken(absl::string_view service) {
  if (remote_auth_ != nullptr) return remote_auth_->Token();  // this process's own system account
  absl::MutexLock lock(&clients_mu_);
  auto it = service_tokens_.find(service);
  if (it == service_tokens_.end()) {
    auto fetch = [this, name = std::string(service)]() -> absl::StatusOr<auth::ExpiringToken> {
      KLA_ASSIGN_OR_RETURN(registry::SignIn s, registry_->accounts().ServiceToken(name));
      return auth::ExpiringToken{s.token, s.expires};
    };
    it = service_tokens_.emplace(std::string(service), std::make_unique<auth::CachedToken>(fetch, clock_)).first;
  }
  return it->second->Get();
}

std::shared_ptr<grpc::Channel> Suite::ChannelTo(const std::string& service) {
  absl::MutexLock lock(&clients_mu_);
  auto it = channels_.find(service);
  if (it != channels_.end()) return it->second;
  auto channel = grpc::CreateChannel(addresses_[service], rpc::ChannelCredentials(resolved_.tls));
  channels_[service] = channel;
  return channel;
}

absl::Status Suite::Start() {
  // The registry's keys first: a process that listened before knowing them
  // would refuse every caller's token ("signed with an unknown key") until
  // its first sync, which clients do not retry.
  if (remote_auth_ != nullptr) KLA_RETURN_IF_ERROR(remote_auth_->Start(absl::Minutes(2)));
  KLA_RETURN_IF_ERROR(host_->Listen());
  auto with_port = Resolve(config_, host_->port());
  if (!with_port.ok()) return with_port.status();
  {
    absl::MutexLock lock(&clients_mu_);
    addresses_ = with_port->addresses;
  }
  sinks_.SetAddresses(with_port->addresses);
  streams_->Start();
  KLA_RETURN_IF_ERROR(host_->StartModules());
  return StartHttp();
}

absl::Status Suite::StartHttp() {
  if (config_.http_listen.empty()) return absl::OkStatus();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const std::string& name : served_services()) {
    if (name == event::v1::EventInbox::service_full_name()) continue;  // between kla's processes only
    services.push_back(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name));
  }
  const int threads = std::max(16, config_.max_threads / 4);
  gateway::GatewayOptions options{.listen = config_.http_listen,
                                  .threads = threads,
                                  .max_streams = threads / 2,
                                  .clock = clock_,
                                  .openapi_document = kOpenApiDocument,
                                  .web_root = config_.web_root,
                                  .tls_cert_file = resolved_.tls.cert_file,
                                  .tls_key_file = resolved_.tls.key_file};
  for (absl::string_view origin : absl::StrSplit(config_.http_cors_origins, ',', absl::SkipWhitespace())) {
    options.cors_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  }
  KLA_ASSIGN_OR_RETURN(
      http_, gateway::HttpGateway::Create(std::move(options),
                                          host_->server()->InProcessChannel(grpc::ChannelArguments()), services));
  return http_->Start();
}

void Suite::Shutdown() {
  if (http_ != nullptr) http_->Stop();  // no new HTTP calls; those in flight drain with the gRPC ones
  if (host_ != nullptr) host_->Shutdown();
  if (streams_ != nullptr) streams_->Stop();
  if (remote_auth_ != nullptr) remote_auth_->Stop();
}

}  // namespace kla::server
