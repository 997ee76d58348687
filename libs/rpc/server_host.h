#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/rpc/service_module.h"

namespace kla::rpc {

struct ServerHostOptions {
  // host:port; port 0 picks a free one (see ServerHost::port()).
  std::string listen_address = "127.0.0.1:7400";
  // Time in-flight calls get to finish after SIGTERM before they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Upper bound on handler threads.
  int max_threads = 64;
  // Largest request accepted (evidence travels in chunks, so this stays small).
  int max_receive_message_bytes = 8 * 1024 * 1024;
  // Calls in progress at once on one client connection.
  int max_calls_per_connection = 100;
  // TLS (see libs/rpc/tls.h); nullptr: plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

// Hosts any set of service modules on one gRPC server and port: health
// (grpc.health.v1, one status per service plus "" for the whole process),
// reflection, the logging interceptor, and graceful shutdown.
class ServerHost {
 public:
  ServerHost(ServerHostOptions options, std::vector<ServiceModule*> modules,
             std::vector<grpc::Service*> extra_services = {});
  ~ServerHost();

  // Binds and starts serving, then starts the modules' background work.
  absl::Status Start();
  // The two halves of Start, for callers that need the bound port before
  // background work begins (e.g. to tell relays this process's address).
  absl::Status Listen();
  absl::Status StartModules();
  int port() const { return port_; }
  // Health NOT_SERVING, drain in-flight calls up to the grace period, stop
  // the modules. Idempotent.
  void Shutdown();
  // Blocks until Shutdown has completed.
  void Wait();
  grpc::Server* server() { return server_.get(); }

 private:
  ServerHostOptions options_;
  std::vector<ServiceModule*> modules_;
  std::vector<grpc::Service*> extra_services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<bool> shut_down_{false};
};

// Blocks SIGTERM and SIGINT in the calling thread (call first in main, so
// every later thread inherits the mask) and returns when one arrives.
void BlockTerminationSignals();
int WaitForTerminationSignal();

}  // namespace kla::rpc
