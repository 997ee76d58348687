#include "libs/rpc/server_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include <csignal>
#include <ranges>

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/rpc/logging_interceptor.h"

namespace kla::rpc {

ServerHost::ServerHost(ServerHostOptions options, std::vector<ServiceModule*> modules,
                       std::vector<grpc::Service*> extra_services)
    : options_(std::move(options)), modules_(std::move(modules)), extra_services_(std::move(extra_services)) {}

ServerHost::~ServerHost() { Shutdown(); }

absl::Status ServerHost::Start() {
  absl::Status st = Listen();
  if (!st.ok()) return st;
  return StartModules();
}

absl::Status ServerHost::Listen() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen_address,
                           options_.credentials != nullptr ? options_.credentials : grpc::InsecureServerCredentials(),
                           &port_);
  grpc::ResourceQuota quota("kla-server");
  quota.SetMaxThreads(options_.max_threads);
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  // Keepalive pings from clients are fine; long-lived feeds rely on them.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // The server pings too: a client that vanished (no FIN) frees its
  // streams within 80 s instead of holding them for ever.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // Calls at once per connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS):
  // one connection opening hundreds of streams cannot take every handler
  // thread while they are refused; its further calls wait on the client.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_calls_per_connection);
  for (ServiceModule* m : modules_) {
    for (grpc::Service* s : m->grpc_services()) builder.RegisterService(s);
  }
  for (grpc::Service* s : extra_services_) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<LoggingInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address));
  }
  // Not serving until the modules have started.
  server_->GetHealthCheckService()->SetServingStatus("", false);
  return absl::OkStatus();
}

absl::Status ServerHost::StartModules() {
  for (ServiceModule* m : modules_) {
    absl::Status st = m->Start();
    if (!st.ok()) {
      Shutdown();
      return absl::Status(st.code(), absl::StrCat("service ", m->name(), " failed to start: ", st.message()));
    }
  }
  auto* health = server_->GetHealthCheckService();
  for (ServiceModule* m : modules_) {
    health->SetServingStatus(m->name(), true);
    for (const auto& n : m->grpc_service_names()) health->SetServingStatus(n, true);
  }
  health->SetServingStatus("", true);
  return absl::OkStatus();
}

void ServerHost::Shutdown() {
  if (server_ == nullptr || shut_down_.exchange(true)) return;
  // Load balancers stop sending new calls once health says NOT_SERVING.
  server_->GetHealthCheckService()->Shutdown();
  log::Info("shutting down", {{"grace_s", absl::ToInt64Seconds(options_.shutdown_grace)}});
  server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) (*it)->Stop();  // the reverse of Start
  log::Info("stopped");
}

void ServerHost::Wait() {
  if (server_ != nullptr) server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace kla::rpc
