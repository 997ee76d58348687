#include "libs/gateway/http_call.h"

#include <httplib.h>

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/gateway/browser_session.h"
#include "libs/gateway/transcode.h"
#include "libs/rpc/peer.h"

namespace kla::gateway {
namespace {

// Seconds of the RetryInfo among `status`'s details, rounded up; 0 if none.
int64_t RetryAfterSeconds(const google::rpc::Status& status) {
  for (const auto& any : status.details()) {
    google::rpc::RetryInfo retry;
    if (!any.UnpackTo(&retry)) continue;
    const double s = static_cast<double>(retry.retry_delay().seconds()) + retry.retry_delay().nanos() / 1e9;
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(s)));
  }
  return 0;
}

}  // namespace

void ForwardCall(const httplib::Request& req, grpc::ClientContext* ctx) {
  // Only bearer tokens: a Basic header is the token endpoint's client
  // credentials, which the services do not read.
  if (absl::StartsWith(req.get_header_value("Authorization"), "Bearer ")) {
    ctx->AddMetadata("authorization", req.get_header_value("Authorization"));
  } else if (std::optional<std::string> token = BrowserSession::CookieToken(req)) {
    // A browser's session (writes were checked for CSRF when they came in).
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  }
  if (req.has_header("Accept-Language")) ctx->AddMetadata("accept-language", req.get_header_value("Accept-Language"));
  ctx->AddMetadata(rpc::kHttpPeerMetadata, rpc::IpPeer(req.remote_addr, req.remote_port));
}

void WriteError(const grpc::Status& status, httplib::Response& res) {
  google::rpc::Status body;
  if (status.error_details().empty() || !body.ParseFromString(status.error_details())) {
    body.set_code(status.error_code());
    body.set_message(status.error_message());
  }
  res.status = HttpStatusOf(status.error_code());
  if (const int64_t after = RetryAfterSeconds(body); after > 0) res.set_header("Retry-After", std::to_string(after));
  res.set_content(ToJson(body), kJsonType);
}

void WriteError(grpc::StatusCode code, absl::string_view message, httplib::Response& res) {
  WriteError(grpc::Status(code, std::string(message)), res);
}

void WriteJson(const google::protobuf::Message& message, httplib::Response& res) {
  res.status = 200;
  res.set_content(ToJson(message), kJsonType);
}

bool ReadBody(const httplib::ContentReader& reader, size_t limit, std::string* body, httplib::Response& res) {
  bool over = false;
  const bool whole = reader([&](const char* data, size_t n) {
    if (body->size() + n > limit) {
      over = true;
      return false;
    }
    body->append(data, n);
    return true;
  });
  if (over) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT,
               "the request body is over " + std::to_string(limit >> 20) + " MiB; evidence files go by tus uploads",
               res);
    res.status = 413;
    return false;
  }
  return whole;
}

}  // namespace kla::gateway
