#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/gateway/routes.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace kla::gateway {

struct GatewayOptions {
  // host:port; port 0 picks a free one (see port()).
  std::string listen = "127.0.0.1:7480";
  // Origins a browser page may call from (CORS); none by default.
  std::vector<std::string> cors_origins;
  // Connections served at once; more wait in the listen queue.
  int threads = 32;
  // Largest request body (JSON); evidence comes by tus, in chunks.
  size_t max_body_bytes = size_t{8} << 20;
  // A client that sends nothing for this long is disconnected.
  absl::Duration read_timeout = absl::Seconds(30);
  // Both set: HTTPS with this certificate and key (PEM files), as the gRPC
  // port serves them.
  std::string tls_cert_file;
  std::string tls_key_file;
};

// HTTP/JSON for every RPC of the given services, as their google.api.http
// rules declare (AIP-127). Each request becomes the RPC's request message
// and is sent to `channel` (the same server, in process): the same guard,
// access rules, bounds, deadlines, logging and error mapping as gRPC, with
// no second implementation of any rule. Errors come back as a JSON
// google.rpc.Status with its details and the HTTP status of its code.
class HttpGateway {
 public:
  // INVALID_ARGUMENT when an RPC of `services` has no usable HTTP rule.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(
      GatewayOptions options, std::shared_ptr<grpc::Channel> channel,
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);
  ~HttpGateway();

  // Binds and serves on a background thread.
  absl::Status Start();
  int port() const { return port_; }
  // Stops accepting and ends the requests in flight. Idempotent.
  void Stop();

  const RouteTable& routes() const { return routes_; }

 private:
  HttpGateway(GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel, RouteTable routes);
  void Handle(const httplib::Request& req, httplib::Response& res);
  // CORS headers for an allowed Origin; false when the origin is not allowed.
  bool Cors(const httplib::Request& req, httplib::Response& res) const;
  void Preflight(const httplib::Request& req, httplib::Response& res);
  // Calls the RPC of `match` with the request and writes its answer.
  void Call(const RouteMatch& match, const httplib::Request& req, httplib::Response& res);

  GatewayOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  RouteTable routes_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Writes `status` as the JSON google.rpc.Status an HTTP client gets.
void WriteError(const grpc::Status& status, httplib::Response& res);

}  // namespace kla::gateway
