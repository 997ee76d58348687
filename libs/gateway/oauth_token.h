#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "kla/registry/v1/account.grpc.pb.h"
#include "libs/common/clock.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace kla::gateway {

// The OAuth 2.0 token endpoint for systems (RFC 6749 §4.4, client
// credentials), POST /v1/oauth2/token: an INTEGRATION account's name as
// client_id and its API key as client_secret, by HTTP Basic (§2.3.1) or in
// the form body, give the same token AccountService.LoginWithApiKey does,
// so API managers and off-the-shelf OAuth clients can call kla. Answers and
// errors are as RFC 6749 §5 spells them.
class OAuthTokenEndpoint {
 public:
  // `clock`: the services' business clock, which token expiry is measured on.
  OAuthTokenEndpoint(const std::shared_ptr<grpc::Channel>& channel, const Clock* clock)
      : stub_(registry::v1::AccountService::NewStub(channel)), clock_(clock) {}

  void Serve(const httplib::Request& req, const httplib::ContentReader& body, httplib::Response& res) const;

 private:
  std::unique_ptr<registry::v1::AccountService::Stub> stub_;
  const Clock* clock_;
};

}  // namespace kla::gateway
