#include "libs/gateway/browser_session.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/gateway/http_call.h"
#include "libs/rpc/error_mapping.h"
#include "libs/rpc/error_text.h"

namespace kla::gateway {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kMaxSignInBody = 16 * 1024;
constexpr absl::Duration kDeadline = absl::Seconds(30);

// A refusal of the listener's own, localized like the services' errors.
void Refuse(const httplib::Request& req, absl::Status status, absl::string_view reason, httplib::Response& res) {
  WriteError(rpc::LocalizeStatus(rpc::ToGrpcStatus(WithReason(std::move(status), reason)),
                                 rpc::PreferredLanguage(req.get_header_value("Accept-Language"))),
             res);
}

std::string Cookie(absl::string_view name, absl::string_view value, int64_t max_age, bool http_only) {
  // __Host-: Secure, Path=/ and no Domain, so no other site or subdomain can
  // set or overwrite it.
  return absl::StrCat(name, "=", value, "; Path=/; Max-Age=", max_age, "; Secure; SameSite=Strict",
                      http_only ? "; HttpOnly" : "");
}

// The cookie's token, if any, goes on as the bearer (ForwardCall).
void Call(const httplib::Request& req, grpc::ClientContext* ctx) {
  ForwardCall(req, ctx);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
}

// A sign-in from another site's page (login CSRF) is refused: browsers send
// Sec-Fetch-Site, and a cross-site form cannot send JSON without CORS.
bool SameSite(const httplib::Request& req) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  return site.empty() || site == "same-origin" || site == "none";
}

}  // namespace

std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  const auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    for (absl::string_view pair : absl::StrSplit(it->second, ';')) {
      pair = absl::StripAsciiWhitespace(pair);
      if (absl::ConsumePrefix(&pair, name) && absl::ConsumePrefix(&pair, "=")) return std::string(pair);
    }
  }
  return "";
}

std::optional<std::string> BrowserSession::CookieToken(const httplib::Request& req) {
  if (req.has_header("Authorization")) return std::nullopt;
  std::string token = CookieValue(req, kSessionCookie);
  if (token.empty()) return std::nullopt;
  return token;
}

bool BrowserSession::CheckCsrf(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return true;
  if (!CookieToken(req)) return true;
  // Signing in (again) has its own check (SameSite), and no CSRF cookie yet.
  if (req.path == kPath && req.method == "POST") return true;
  const std::string expected = CookieValue(req, kCsrfCookie);
  const std::string given = req.get_header_value(kCsrfHeader);
  if (!expected.empty() && given.size() == expected.size() &&
      CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0) {
    return true;
  }
  Refuse(req,
         absl::PermissionDeniedError(absl::StrCat("a change made with the session cookie needs the ", kCsrfHeader,
                                                  " header (the value of the ", kCsrfCookie, " cookie)")),
         "CSRF_TOKEN_MISSING", res);
  return false;
}

void BrowserSession::SetCookies(const std::string& token, const google::protobuf::Timestamp& expires,
                                httplib::Response& res) const {
  const int64_t max_age =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::FromUnixSeconds(expires.seconds()) - clock_->Now()));
  res.set_header("Set-Cookie", Cookie(kSessionCookie, token, max_age, true));
  // httplib keeps repeated headers: the second Set-Cookie is sent too.
  res.headers.emplace("Set-Cookie", Cookie(kCsrfCookie, NewUuid(), max_age, false));
  res.set_header("Cache-Control", "no-store");
}

void BrowserSession::SignIn(const httplib::Request& req, const httplib::ContentReader& body,
                            httplib::Response& res) const {
  if (!SameSite(req) || !absl::StartsWith(req.get_header_value("Content-Type"), "application/json")) {
    return Refuse(req, absl::PermissionDeniedError("sign in from kla's own pages, with a JSON body"),
                  "CROSS_SITE_REQUEST", res);
  }
  std::string text;
  if (!ReadBody(body, kMaxSignInBody, &text, res)) return;
  registry::v1::LoginRequest login;
  if (!google::protobuf::util::JsonStringToMessage(text, &login).ok()) {
    return Refuse(req, absl::InvalidArgumentError("the body is not {\"name\", \"password\", \"newPassword\"} JSON"),
                  "INVALID_ARGUMENT", res);
  }
  grpc::ClientContext ctx;
  Call(req, &ctx);
  registry::v1::LoginResponse in;
  if (grpc::Status s = stub_->Login(&ctx, login, &in); !s.ok()) return WriteError(s, res);
  SetCookies(in.token(), in.expire_time(), res);
  in.clear_token();  // never readable by page scripts
  WriteJson(in, res);
}

void BrowserSession::Renew(const httplib::Request& req, httplib::Response& res) const {
  std::optional<std::string> token = CookieToken(req);
  if (!token) {
    return Refuse(req, absl::UnauthenticatedError("no session: sign in"), "SESSION_ENDED", res);
  }
  if (!CheckCsrf(req, res)) return;
  grpc::ClientContext ctx;
  Call(req, &ctx);
  registry::v1::RenewTokenResponse renewed;
  if (grpc::Status s = stub_->RenewToken(&ctx, {}, &renewed); !s.ok()) return WriteError(s, res);
  SetCookies(renewed.token(), renewed.expire_time(), res);
  renewed.clear_token();
  WriteJson(renewed, res);
}

void BrowserSession::SignOut(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckCsrf(req, res)) return;
  res.set_header("Set-Cookie", Cookie(kSessionCookie, "", 0, true));
  res.headers.emplace("Set-Cookie", Cookie(kCsrfCookie, "", 0, false));
  res.set_header("Cache-Control", "no-store");
  res.status = 204;
}

}  // namespace kla::gateway
