#include "libs/gateway/oauth_token.h"

#include <httplib.h>

#include <map>
#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/routes.h"
#include "libs/gateway/transcode.h"
#include "libs/rpc/error_text.h"

namespace kla::gateway {
namespace {

// A token request is a short form; anything longer is not one.
constexpr size_t kMaxForm = 4096;

struct Credentials {
  std::string id;
  std::string secret;
  bool basic = false;  // sent by HTTP Basic (then a 401 says so)
};

struct Refusal {
  int status;
  const char* error;  // RFC 6749 §5.2
  const char* id;     // error_description, Bahasa Indonesia
  const char* en;     // and English
};

constexpr Refusal kNotAForm = {400, "invalid_request",
                               "Kirim permintaan token sebagai application/x-www-form-urlencoded",
                               "Send the token request as application/x-www-form-urlencoded"};
constexpr Refusal kRepeated = {400, "invalid_request", "Setiap parameter hanya boleh dikirim sekali",
                               "Each parameter may be sent only once"};
constexpr Refusal kNoGrant = {400, "invalid_request", "grant_type wajib diisi", "grant_type is required"};
constexpr Refusal kOtherGrant = {400, "unsupported_grant_type", "Hanya grant_type=client_credentials yang dilayani",
                                 "Only grant_type=client_credentials is served"};
constexpr Refusal kTwoWays = {400, "invalid_request",
                              "Kirim kredensial klien lewat Basic atau badan permintaan, bukan keduanya",
                              "Send the client credentials by Basic or in the body, not both"};
constexpr Refusal kBadClient = {401, "invalid_client", "client_id atau client_secret tidak dikenal",
                                "Unknown client_id or client_secret"};
constexpr Refusal kNotIntegration = {400, "unauthorized_client", "Grant ini hanya untuk akun INTEGRATION",
                                     "This grant is for INTEGRATION accounts only"};
constexpr Refusal kBusy = {429, "temporarily_unavailable", "Terlalu banyak permintaan; coba lagi sebentar lagi",
                           "Too many requests; try again shortly"};
constexpr Refusal kDown = {503, "temporarily_unavailable", "Layanan akun sedang tidak dapat dihubungi",
                           "The account service cannot be reached"};

void NoStore(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("Pragma", "no-cache");
}

void Refuse(const Refusal& r, const httplib::Request& req, bool basic, httplib::Response& res) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["error"].set_string_value(r.error);
  const bool en = rpc::PreferredLanguage(req.get_header_value("Accept-Language")) == "en";
  (*body.mutable_fields())["error_description"].set_string_value(en ? r.en : r.id);
  res.status = r.status;
  NoStore(res);
  if (r.status == 401 && basic) res.set_header("WWW-Authenticate", "Basic realm=\"kla\", charset=\"UTF-8\"");
  res.set_content(ToJson(body), kJsonType);
}

// The form's parameters; nullopt when one repeats (RFC 6749 §3.2).
std::optional<std::map<std::string, std::string>> ParseForm(absl::string_view form) {
  std::map<std::string, std::string> out;
  for (absl::string_view pair : absl::StrSplit(form, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (!out.emplace(PercentDecode(kv.first, true), PercentDecode(kv.second, true)).second) return std::nullopt;
  }
  return out;
}

// HTTP Basic credentials, each part form-encoded (RFC 6749 §2.3.1).
std::optional<Credentials> BasicCredentials(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  absl::string_view value = header;
  if (!absl::ConsumePrefix(&value, "Basic ")) return std::nullopt;
  std::string decoded;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(value), &decoded)) return Credentials{.basic = true};
  std::pair<std::string, std::string> parts = absl::StrSplit(decoded, absl::MaxSplits(':', 1));
  return Credentials{PercentDecode(parts.first, true), PercentDecode(parts.second, true), true};
}

std::string Param(const std::map<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

// The client's credentials, or the refusal of a request that gives none or
// both kinds.
const Refusal* CredentialsOf(const httplib::Request& req, const std::map<std::string, std::string>& form,
                             Credentials* out) {
  const std::optional<Credentials> basic = BasicCredentials(req);
  const bool in_body = form.contains("client_id") || form.contains("client_secret");
  if (basic && in_body) return &kTwoWays;
  *out = basic ? *basic : Credentials{Param(form, "client_id"), Param(form, "client_secret"), false};
  if (out->id.empty() || out->secret.empty()) return &kBadClient;
  return nullptr;
}

const Refusal& RefusalOf(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return kBadClient;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kBusy;
    default:
      return kDown;
  }
}

}  // namespace

void OAuthTokenEndpoint::Serve(const httplib::Request& req, const httplib::ContentReader& body,
                               httplib::Response& res) const {
  std::string text;
  if (!absl::StartsWith(req.get_header_value("Content-Type"), "application/x-www-form-urlencoded")) {
    return Refuse(kNotAForm, req, false, res);
  }
  if (!ReadBody(body, kMaxForm, &text, res)) return;
  const auto form = ParseForm(text);
  if (!form) return Refuse(kRepeated, req, false, res);
  const std::string grant = Param(*form, "grant_type");
  if (grant.empty()) return Refuse(kNoGrant, req, false, res);
  if (grant != "client_credentials") return Refuse(kOtherGrant, req, false, res);
  Credentials client;
  if (const Refusal* refused = CredentialsOf(req, *form, &client)) return Refuse(*refused, req, client.basic, res);

  registry::v1::LoginWithApiKeyRequest login;
  login.set_api_key(client.secret);
  registry::v1::LoginResponse token;
  grpc::ClientContext ctx;
  ForwardCall(req, &ctx);
  if (grpc::Status status = stub_->LoginWithApiKey(&ctx, login, &token); !status.ok()) {
    // A limit's RetryInfo becomes Retry-After (WriteError sets it); the body is OAuth's.
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) WriteError(status, res);
    return Refuse(RefusalOf(status), req, client.basic, res);
  }
  // The key of another account than the one named is no credential of it.
  if (token.account().name() != client.id) return Refuse(kBadClient, req, client.basic, res);
  if (token.account().role() != registry::v1::ROLE_INTEGRATION) return Refuse(kNotIntegration, req, false, res);

  google::protobuf::Struct answer;
  auto& fields = *answer.mutable_fields();
  fields["access_token"].set_string_value(token.token());
  fields["token_type"].set_string_value("Bearer");
  fields["expires_in"].set_number_value(
      static_cast<double>(std::max<int64_t>(0, token.expire_time().seconds() - absl::ToUnixSeconds(clock_->Now()))));
  res.status = 200;
  NoStore(res);
  res.set_content(ToJson(answer), kJsonType);
}

}  // namespace kla::gateway
