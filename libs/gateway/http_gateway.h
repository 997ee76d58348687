#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/gateway/browser_session.h"
#include "libs/gateway/downloads.h"
#include "libs/gateway/event_stream.h"
#include "libs/gateway/oauth_token.h"
#include "libs/gateway/open_data.h"
#include "libs/gateway/routes.h"
#include "libs/gateway/tus.h"

namespace httplib {
class Server;
class ContentReader;
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
  // Of those, how many may be long transfers at once (event streams,
  // downloads, exports, uploads); more are refused with 429 and Retry-After,
  // so short calls always find a thread.
  int max_streams = 16;
  // Largest request body (JSON); evidence comes by tus, in chunks.
  size_t max_body_bytes = size_t{8} << 20;
  // A client that sends nothing for this long is disconnected.
  absl::Duration read_timeout = absl::Seconds(30);
  // An event stream sends a comment this often when there is no event.
  absl::Duration heartbeat = absl::Seconds(15);
  // A download or export whose service stream sends nothing this long is cut.
  absl::Duration stream_idle = absl::Seconds(60);
  TusOptions tus;
  // The services' business clock (token expiry).
  const Clock* clock = SystemClock::Get();
  // Served at /openapi.json when set (the document of the whole API).
  std::string_view openapi_document;
  // A folder of web pages served as they are (the API reference at
  // /docs/api/); empty: none.
  std::string web_root;
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
// Streaming RPCs take their HTTP forms: evidence uploads by tus, downloads
// and exports as files, Watch as Server-Sent Events; with AccountService
// comes the OAuth 2.0 token endpoint for systems.
class HttpGateway {
 public:
  // INVALID_ARGUMENT when an RPC of `services` has no usable HTTP rule.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(
      GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel,
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);
  ~HttpGateway();

  // Binds and serves on a background thread.
  absl::Status Start();
  int port() const { return port_; }
  // Stops accepting and ends the requests in flight. Idempotent.
  void Stop();

  const RouteTable& routes() const { return routes_; }

 private:
  // Held by a long transfer until its answer is written.
  using StreamSlot = std::shared_ptr<void>;

  HttpGateway(GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel, RouteTable routes,
              const std::vector<const google::protobuf::ServiceDescriptor*>& services);
  // Serves `req`; the route it took, as metrics name it (the template).
  std::string Route(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);
  // Route, timed and counted.
  void Serve(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);
  // tus's HEAD and PATCH on an upload's URL; false when `req` is not one.
  bool RouteTus(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);
  // Browser sign-in, renewal and sign-out (BrowserSession).
  void RouteSession(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);
  // The HTTP form of a streaming RPC.
  void Stream(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* body);
  // Mounts the web root with its security headers.
  absl::Status ServeWebRoot();
  // The feed and the open data downloads, for the services this process serves.
  void ServeOpenData();
  // CORS headers for an allowed Origin; false when the origin is not allowed.
  bool Cors(const httplib::Request& req, httplib::Response& res) const;
  void Preflight(const httplib::Request& req, httplib::Response& res);
  // Calls the unary RPC of `match` with the request and writes its answer.
  void Call(const RouteMatch& match, const httplib::Request& req, const std::string& body, httplib::Response& res);
  // A slot for a long transfer; null (and 429 written) when all are taken.
  StreamSlot TakeSlot(httplib::Response& res);

  GatewayOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  RouteTable routes_;
  // Present when this process serves the service they belong to.
  std::unique_ptr<OAuthTokenEndpoint> oauth_;
  std::unique_ptr<BrowserSession> session_;
  std::unique_ptr<TusUploads> tus_;
  std::unique_ptr<Downloads> downloads_;
  std::unique_ptr<EventStream> events_;
  std::unique_ptr<OpenData> open_data_;
  // The portal's page titles name regions (null without the registry).
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::atomic<int> streams_{0};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace kla::gateway
