#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "kla/registry/v1/account.grpc.pb.h"
#include "libs/common/clock.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace kla::gateway {

// Browser sign-in for the workspace (ADR 0020): the token lives in an
// HttpOnly, Secure, SameSite=Strict cookie that page scripts cannot read;
// writes made with it must echo a second, readable cookie in a header
// (double submit), so another site can neither read the token nor make the
// browser write with it. Bearer tokens stay as they are for systems.
//   POST   /auth/session        sign in ({"name","password","newPassword"}, AccountService.Login)
//   POST   /auth/session:renew  a new token for the session (AccountService.RenewToken)
//   DELETE /auth/session        sign out (the cookies cleared)
class BrowserSession {
 public:
  static constexpr char kSessionCookie[] = "__Host-kla-session";
  static constexpr char kCsrfCookie[] = "__Host-kla-csrf";
  static constexpr char kCsrfHeader[] = "X-CSRF-Token";
  static constexpr char kPath[] = "/auth/session";
  static constexpr char kRenewPath[] = "/auth/session:renew";

  // `clock`: the services' business clock, which token expiry is measured on.
  BrowserSession(const std::shared_ptr<grpc::Channel>& channel, const Clock* clock)
      : stub_(registry::v1::AccountService::NewStub(channel)), clock_(clock) {}

  void SignIn(const httplib::Request& req, const httplib::ContentReader& body, httplib::Response& res) const;
  void Renew(const httplib::Request& req, httplib::Response& res) const;
  void SignOut(const httplib::Request& req, httplib::Response& res) const;

  // The session cookie's token, if the request carries one and no
  // Authorization header (a bearer token always wins).
  static std::optional<std::string> CookieToken(const httplib::Request& req);

  // False (and 403 written) for a write made with the session cookie whose
  // CSRF header does not match its CSRF cookie. Reads, and requests without
  // the cookie, pass.
  static bool CheckCsrf(const httplib::Request& req, httplib::Response& res);

 private:
  void SetCookies(const std::string& token, const google::protobuf::Timestamp& expires, httplib::Response& res) const;

  std::unique_ptr<registry::v1::AccountService::Stub> stub_;
  const Clock* clock_;
};

// The value of cookie `name` in the request's Cookie headers; empty if none.
std::string CookieValue(const httplib::Request& req, absl::string_view name);

}  // namespace kla::gateway
