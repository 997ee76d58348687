#include "libs/gateway/http_gateway.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "google/rpc/status.pb.h"
#include "libs/common/log.h"
#include "libs/gateway/transcode.h"

namespace kla::gateway {
namespace {

constexpr char kJson[] = "application/json; charset=utf-8";

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

}  // namespace

void WriteError(const grpc::Status& status, httplib::Response& res) {
  google::rpc::Status body;
  if (status.error_details().empty() || !body.ParseFromString(status.error_details())) {
    body.set_code(status.error_code());
    body.set_message(status.error_message());
  }
  res.status = HttpStatusOf(status.error_code());
  res.set_content(ToJson(body), kJson);
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Create(
    GatewayOptions options, std::shared_ptr<grpc::Channel> channel,
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  auto routes = RouteTable::FromServices(services);
  if (!routes.ok()) return routes.status();
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(options), std::move(channel), *std::move(routes)));
}

HttpGateway::HttpGateway(GatewayOptions options, const std::shared_ptr<grpc::Channel>& channel, RouteTable routes)
    : options_(std::move(options)), channel_(channel), stub_(channel), routes_(std::move(routes)) {}

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
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(absl::ToChronoSeconds(options_.read_timeout));
  server_->set_write_timeout(absl::ToChronoSeconds(options_.read_timeout));
  server_->set_keep_alive_max_count(100);
  auto handle = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  for (const char* pattern : {R"(/v1/.*)"}) {
    server_->Get(pattern, handle);
    server_->Post(pattern, handle);
    server_->Patch(pattern, handle);
    server_->Put(pattern, handle);
    server_->Delete(pattern, handle);
    server_->Options(pattern, [this](const httplib::Request& req, httplib::Response& res) { Preflight(req, res); });
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
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

bool HttpGateway::Cors(const httplib::Request& req, httplib::Response& res) const {
  if (!req.has_header("Origin")) return false;
  const std::string origin = req.get_header_value("Origin");
  if (std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) == options_.cors_origins.end()) {
    return false;
  }
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
  res.set_header("Access-Control-Expose-Headers", "ETag");
  return true;
}

void HttpGateway::Preflight(const httplib::Request& req, httplib::Response& res) {
  const std::vector<std::string> methods = routes_.MethodsFor(req.path);
  if (methods.empty()) {
    WriteError(grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API path ", req.path)), res);
    return;
  }
  if (Cors(req, res)) {
    res.set_header("Access-Control-Allow-Methods", absl::StrJoin(methods, ", "));
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept-Language, If-Match");
    res.set_header("Access-Control-Max-Age", "600");
  }
  res.set_header("Allow", absl::StrJoin(methods, ", "));
  res.status = 204;
}

void HttpGateway::Handle(const httplib::Request& req, httplib::Response& res) {
  Cors(req, res);
  std::optional<RouteMatch> match = routes_.Find(req.method, req.path);
  if (!match) {
    const std::vector<std::string> methods = routes_.MethodsFor(req.path);
    if (methods.empty()) {
      WriteError(grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API path ", req.path)), res);
      return;
    }
    res.set_header("Allow", absl::StrJoin(methods, ", "));
    WriteError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, absl::StrCat(req.method, " is not served on ", req.path,
                                                                          "; use ", absl::StrJoin(methods, ", "))),
               res);
    res.status = 405;
    return;
  }
  Call(*match, req, res);
}

void HttpGateway::Call(const RouteMatch& match, const httplib::Request& req, httplib::Response& res) {
  const google::protobuf::MethodDescriptor* method = match.route->method;
  if (method->client_streaming() || method->server_streaming()) {
    WriteError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            absl::StrCat(method->name(), " streams: call it over gRPC for now")),
               res);
    return;
  }
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  auto request = BuildRequest(match, query, req.body);
  if (!request.ok()) {
    WriteError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(request.status().message())), res);
    return;
  }
  ApplyIfMatch(req, *match.route, request->get());
  grpc::ClientContext ctx;
  for (const char* header : {"authorization", "accept-language"}) {
    if (req.has_header(header)) ctx.AddMetadata(header, req.get_header_value(header));
  }
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
  if (!status.ok()) {
    WriteError(status, res);
    return;
  }
  std::unique_ptr<google::protobuf::Message> response(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type())->New());
  if (!response->ParseFromString(FromBuffer(out))) {
    WriteError(grpc::Status(grpc::StatusCode::INTERNAL, "the answer could not be read"), res);
    return;
  }
  if (const std::string etag = EtagOf(*response); !etag.empty()) res.set_header("ETag", absl::StrCat("\"", etag, "\""));
  res.status = 200;
  res.set_content(ToJson(*response), kJson);
}

}  // namespace kla::gateway
