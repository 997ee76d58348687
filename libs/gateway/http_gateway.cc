#include "libs/gateway/http_gateway.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/open_data.h"
#include "libs/gateway/portal_shell.h"
#include "libs/gateway/transcode.h"
#include "libs/metrics/metrics.h"

namespace kla::gateway {
namespace {

// Every page from the web root: nothing from another origin, ever; the API
// reference's renderer sets its styles inline.
void WebPageHeaders(const httplib::Request& req, httplib::Response& res) {
  const bool reference = absl::StartsWith(req.path, "/docs/api/");
  res.set_header(
      "Content-Security-Policy",
      absl::StrCat("default-src 'self'; script-src 'self'; style-src 'self'", reference ? " 'unsafe-inline'" : "",
                   "; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
                   "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");
}

constexpr char kTokenPath[] = "/v1/oauth2/token";

// "W/\"s3\"" or "\"s3\"" -> "s3".
std::string EtagFromHeader(absl::string_view v) {
  v = absl::StripAsciiWhitespace(v);
  absl::ConsumePrefix(&v, "W/");
  absl::ConsumePrefix(&v, "\"");
  absl::ConsumeSuffix(&v, "\"");
  return std::string(v);
}

grpc::ByteBuffer ToBuffer(const google::protobuf::Message& m) {
  const std::string bytes = m.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Sets the request's etag from If-Match when the body did not give one: its
// own `etag`, or that of the resource its body carries (Update methods).
void ApplyIfMatch(const httplib::Request& req, const Route& route, google::protobuf::Message* request) {
  if (!req.has_header("If-Match")) return;
  google::protobuf::Message* target = request;
  const auto* own = request->GetDescriptor()->FindFieldByName("etag");
  if (own == nullptr && !route.body.empty() && route.body != "*") {
    target = request->GetReflection()->MutableMessage(request, request->GetDescriptor()->FindFieldByName(route.body));
  }
  const auto* f = target->GetDescriptor()->FindFieldByName("etag");
  if (f == nullptr || f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING || f->is_repeated()) return;
  if (!target->GetReflection()->GetString(*target, f).empty()) return;
  target->GetReflection()->SetString(target, f, EtagFromHeader(req.get_header_value("If-Match")));
}

bool Serves(const std::vector<const google::protobuf::ServiceDescriptor*>& services, const std::string& name) {
  return std::any_of(services.begin(), services.end(), [&](const auto* s) { return s->full_name() == name; });
}

bool Is(const RouteMatch& match, const std::string& method) { return match.route->method->full_name() == method; }

std::string SubmissionMethod(const char* name) {
  return absl::StrCat(submission::v1::SubmissionService::service_full_name(), ".", name);
}

void NotServed(const httplib::Request& req, const std::vector<std::string>& methods, httplib::Response& res) {
  if (methods.empty()) {
    WriteError(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API path ", req.path), res);
    return;
  }
  res.set_header("Allow", absl::StrJoin(methods, ", "));
  WriteError(grpc::StatusCode::UNIMPLEMENTED,
             absl::StrCat(req.method, " is not served on ", req.path, "; use ", absl::StrJoin(methods, ", ")), res);
  res.status = 405;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Create(
    GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  auto routes = RouteTable::FromServices(services);
  if (!routes.ok()) return routes.status();
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(options), channel, *std::move(routes), services));
}

HttpGateway::HttpGateway(GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel, RouteTable routes,
                         const std::vector<const google::protobuf::ServiceDescriptor*>& services)
    : options_(std::move(options)), channel_(channel), stub_(channel), routes_(std::move(routes)) {
  if (Serves(services, registry::v1::AccountService::service_full_name())) {
    oauth_ = std::make_unique<OAuthTokenEndpoint>(channel, options_.clock);
    session_ = std::make_unique<BrowserSession>(channel, options_.clock);
  }
  if (Serves(services, submission::v1::SubmissionService::service_full_name())) {
    tus_ = std::make_unique<TusUploads>(channel, options_.tus);
    downloads_ = std::make_unique<Downloads>(channel, options_.stream_idle, &stopping_);
  }
  if (Serves(services, notification::v1::NotificationService::service_full_name())) {
    events_ = std::make_unique<EventStream>(channel, options_.heartbeat, &stopping_);
  }
  if (Serves(services, registry::v1::RegistryService::service_full_name())) {
    registry_ = registry::v1::RegistryService::NewStub(channel);
  }
  open_data_ = std::make_unique<OpenData>(channel, Serves(services, scoring::v1::ScoringService::service_full_name()),
                                          Serves(services, notification::v1::NotificationService::service_full_name()),
                                          options_.read_timeout);
}

HttpGateway::~HttpGateway() { Stop(); }

absl::Status HttpGateway::Start() {
  if (!options_.tls_cert_file.empty()) {
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(), options_.tls_key_file.c_str());
    if (!server_->is_valid()) {
      return absl::InvalidArgumentError("--http-listen: the TLS certificate or key is not usable");
    }
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // Bodies are read by the handlers, each to its own bound (JSON, a form,
  // a tus chunk); this is the largest of them.
  server_->set_payload_max_length(
      std::max(options_.max_body_bytes, static_cast<size_t>(options_.tus.max_upload_bytes)));
  server_->set_read_timeout(absl::ToChronoSeconds(options_.read_timeout));
  server_->set_write_timeout(absl::ToChronoSeconds(options_.read_timeout));
  server_->set_keep_alive_max_count(100);
  // Headers and body go out as separate writes: without this, Nagle and the
  // client's delayed ACK add ~40 ms to every keep-alive answer.
  server_->set_tcp_nodelay(true);
  auto plain = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res, nullptr); };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& body) {
    Serve(req, res, &body);
  };
  // The API, and the browsers' sign-in beside it.
  const std::string pattern = R"((/v1/|/auth/session).*)";
  server_->Get(pattern, plain);  // and HEAD
  server_->Post(pattern, with_body);
  server_->Patch(pattern, with_body);
  server_->Put(pattern, with_body);
  server_->Delete(pattern, with_body);
  server_->Options(pattern, [this](const httplib::Request& req, httplib::Response& res) { Preflight(req, res); });
  KLA_RETURN_IF_ERROR(ServeWebRoot());
  ServeOpenData();
  // For the operators' Prometheus (kept from the public by the network,
  // as the gRPC port's health and reflection are).
  server_->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::Scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!options_.openapi_document.empty()) {
    server_->Get("/openapi.json", [this](const httplib::Request& req, httplib::Response& res) {
      Cors(req, res);
      res.set_header("Cache-Control", "public, max-age=300");
      res.set_content(std::string(options_.openapi_document), kJsonType);
    });
  }
  const size_t colon = options_.listen.rfind(':');
  int wanted = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(options_.listen.substr(colon + 1), &wanted)) {
    return absl::InvalidArgumentError(absl::StrCat("--http-listen: \"", options_.listen, "\" is not host:port"));
  }
  std::string host = options_.listen.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) host = host.substr(1, host.size() - 2);
  port_ = wanted == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, wanted) ? wanted : -1);
  if (port_ <= 0) return absl::UnavailableError(absl::StrCat("--http-listen: cannot listen on ", options_.listen));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  log::Info("http listening",
            {{"address", absl::StrCat(host, ":", port_)}, {"routes", std::to_string(routes_.routes().size())}});
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  stopping_ = true;  // open event streams and downloads end now, not at their next heartbeat
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status HttpGateway::ServeWebRoot() {
  if (options_.web_root.empty()) return absl::OkStatus();
  if (!server_->set_mount_point("/", options_.web_root)) {
    return absl::InvalidArgumentError("--web-root: not a readable folder");
  }
  server_->set_file_request_handler(
      [](const httplib::Request& req, httplib::Response& res) { WebPageHeaders(req, res); });
  PortalShell::NameOf name_of;
  if (registry_ != nullptr) {
    name_of = [registry = registry_.get()](const std::string& code) {
      registry::v1::GetRegionRequest request;
      request.set_code(code);
      registry::v1::GetRegionResponse response;
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
      return registry->GetRegion(&ctx, request, &response).ok() ? response.region().name() : std::string();
    };
  }
  if (auto shell = PortalShell::Load(options_.web_root, std::move(name_of))) {
    server_->Get(std::string(PortalShell::kPaths),
                 [shell = *std::move(shell)](const httplib::Request& req, httplib::Response& res) {
                   WebPageHeaders(req, res);
                   shell.Serve(req, res);
                 });
  }
  server_->Get("/docs/api", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/docs/api/"); });
  return absl::OkStatus();
}

void HttpGateway::ServeOpenData() {
  auto timed = [](const char* route, auto serve) {
    return [route, serve](const httplib::Request& req, httplib::Response& res) {
      const absl::Time start = absl::Now();
      serve(req, res);
      metrics::RecordHttp(route, req.method, res.status, absl::ToDoubleSeconds(absl::Now() - start));
    };
  };
  const OpenData* data = open_data_.get();
  if (data->serves_feed()) {
    server_->Get(OpenData::kFeedPath,
                 timed(OpenData::kFeedPath, [data](const auto& req, auto& res) { data->ServeFeed(req, res); }));
  }
  if (data->serves_rankings()) {
    server_->Get(OpenData::kRankingPath, timed("/data/{cycle}/peringkat",
                                               [data](const auto& req, auto& res) { data->ServeRanking(req, res); }));
  }
}

bool HttpGateway::Cors(const httplib::Request& req, httplib::Response& res) const {
  if (!req.has_header("Origin")) return false;
  const std::string origin = req.get_header_value("Origin");
  if (std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) == options_.cors_origins.end()) {
    return false;
  }
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
  res.set_header("Access-Control-Expose-Headers",
                 "ETag, Location, Retry-After, Content-Disposition, Upload-Offset, Upload-Length, Upload-Expires, "
                 "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm");
  return true;
}

void HttpGateway::Preflight(const httplib::Request& req, httplib::Response& res) {
  std::vector<std::string> methods = routes_.MethodsFor(req.path);
  if (req.path == kTokenPath && oauth_ != nullptr) methods = {"POST"};
  std::optional<RouteMatch> upload = routes_.Find("GET", req.path);
  const bool tus = tus_ != nullptr && upload && Is(*upload, SubmissionMethod("GetUploadStatus"));
  if (tus) methods.insert(methods.end(), {"HEAD", "PATCH"});
  if (methods.empty()) {
    WriteError(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API path ", req.path), res);
    return;
  }
  if (Cors(req, res)) {
    res.set_header("Access-Control-Allow-Methods", absl::StrJoin(methods, ", "));
    res.set_header("Access-Control-Allow-Headers",
                   "Authorization, Content-Type, Accept-Language, If-Match, Last-Event-ID, Tus-Resumable, "
                   "Upload-Length, Upload-Metadata, Upload-Offset, Upload-Checksum");
    res.set_header("Access-Control-Max-Age", "600");
  }
  std::optional<RouteMatch> create = routes_.Find("POST", req.path);
  if (tus || (tus_ != nullptr && create && Is(*create, SubmissionMethod("UploadEvidence")))) tus_->Describe(res);
  res.set_header("Allow", absl::StrJoin(methods, ", "));
  res.status = 204;
}

HttpGateway::StreamSlot HttpGateway::TakeSlot(httplib::Response& res) {
  if (streams_.fetch_add(1) >= options_.max_streams) {
    streams_.fetch_sub(1);
    res.set_header("Retry-After", "5");
    WriteError(grpc::StatusCode::RESOURCE_EXHAUSTED,
               "too many downloads, uploads and event streams over HTTP at once: retry in a few seconds", res);
    return nullptr;
  }
  return StreamSlot(this, [](HttpGateway* g) { g->streams_.fetch_sub(1); });
}

bool HttpGateway::RouteTus(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body) {
  if (tus_ == nullptr || (req.method != "HEAD" && req.method != "PATCH")) return false;
  std::optional<RouteMatch> upload = routes_.Find("GET", req.path);
  if (!upload || !Is(*upload, SubmissionMethod("GetUploadStatus"))) return false;
  if (req.method == "HEAD") {
    tus_->Head(*upload, req, res);
  } else if (StreamSlot slot = TakeSlot(res)) {
    tus_->Patch(*upload, req, *body, res);
  }
  return true;
}

void HttpGateway::Serve(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body) {
  const absl::Time start = absl::Now();
  const std::string route = Route(req, res, body);
  metrics::RecordHttp(route, req.method, res.status, absl::ToDoubleSeconds(absl::Now() - start));
}

std::string HttpGateway::Route(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader* body) {
  Cors(req, res);
  if (!BrowserSession::CheckCsrf(req, res)) return "csrf refused";
  if (session_ != nullptr && (req.path == BrowserSession::kPath || req.path == BrowserSession::kRenewPath)) {
    RouteSession(req, res, body);
    return req.path;
  }
  if (req.path == kTokenPath && oauth_ != nullptr) {
    if (req.method == "POST") {
      oauth_->Serve(req, *body, res);
    } else {
      NotServed(req, {"POST"}, res);
    }
    return kTokenPath;
  }
  if (RouteTus(req, res, body)) return "tus " + req.method;
  // HEAD is GET without the body (httplib leaves it out).
  std::optional<RouteMatch> match = routes_.Find(req.method == "HEAD" ? "GET" : req.method, req.path);
  if (!match) {
    NotServed(req, routes_.MethodsFor(req.path), res);
    return "unknown";  // not the path: a scanner would make one series per guess
  }
  const google::protobuf::MethodDescriptor* method = match->route->method;
  if (method->client_streaming() || method->server_streaming()) {
    Stream(*match, req, res, body);
  } else {
    std::string text;
    if (body == nullptr || ReadBody(*body, options_.max_body_bytes, &text, res)) Call(*match, req, text, res);
  }
  return match->route->path;
}

void HttpGateway::RouteSession(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader* body) {
  if (req.path == BrowserSession::kRenewPath) {
    return req.method == "POST" ? session_->Renew(req, res) : NotServed(req, {"POST"}, res);
  }
  if (req.method == "POST") return session_->SignIn(req, *body, res);
  if (req.method == "DELETE") return session_->SignOut(req, res);
  NotServed(req, {"POST", "DELETE"}, res);
}

void HttpGateway::Stream(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader* body) {
  const bool upload = Is(match, SubmissionMethod("UploadEvidence"));
  const bool download = Is(match, SubmissionMethod("DownloadEvidence"));
  const bool exporting = Is(match, SubmissionMethod("ExportSubmissions"));
  const bool watch = events_ != nullptr &&
                     Is(match, absl::StrCat(notification::v1::NotificationService::service_full_name(), ".Watch"));
  if (!(tus_ != nullptr && (upload || download || exporting)) && !watch) {
    WriteError(grpc::StatusCode::UNIMPLEMENTED,
               absl::StrCat(match.route->method->name(), " streams: call it over gRPC"), res);
    return;
  }
  StreamSlot slot = TakeSlot(res);
  if (slot == nullptr) return;
  if (upload) return tus_->Create(match, req, *body, res);
  // The slot is held until the answer is written, after this returns.
  if (download) return downloads_->ServeEvidence(match, req, res, slot);
  if (exporting) return downloads_->ServeExport(match, req, res, slot);
  events_->Serve(match, req, res, slot);
}

void HttpGateway::Call(const RouteMatch& match, const httplib::Request& req, const std::string& body,
                       httplib::Response& res) {
  const google::protobuf::MethodDescriptor* method = match.route->method;
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  auto request = BuildRequest(match, query, body);
  if (!request.ok()) return WriteError(grpc::StatusCode::INVALID_ARGUMENT, request.status().message(), res);
  ApplyIfMatch(req, *match.route, request->get());
  grpc::ClientContext ctx;
  ForwardCall(req, &ctx);
  const grpc::ByteBuffer in = ToBuffer(**request);
  grpc::ByteBuffer out;
  grpc::Status status;
  absl::Notification done;
  stub_.UnaryCall(&ctx, absl::StrCat("/", method->service()->full_name(), "/", method->name()), grpc::StubOptions(),
                  &in, &out, [&](grpc::Status s) {
                    status = std::move(s);
                    done.Notify();
                  });
  done.WaitForNotification();
  if (!status.ok()) return WriteError(status, res);
  std::unique_ptr<google::protobuf::Message> response(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type())->New());
  if (!response->ParseFromString(FromBuffer(out))) {
    return WriteError(grpc::StatusCode::INTERNAL, "the answer could not be read", res);
  }
  if (const std::string etag = EtagOf(*response); !etag.empty()) res.set_header("ETag", absl::StrCat("\"", etag, "\""));
  WriteJson(*response, res);
}

}  // namespace kla::gateway
