#include "services/registry/handlers/account_service.h"

#include <google/protobuf/util/time_util.h>

#include "libs/common/errors.h"
#include "libs/kernel/time.h"
#include "libs/metrics/metrics.h"

namespace kla::registry {
namespace {

void ToProto(const StoredKey& k, v1::SigningKey* out) {
  out->set_kid(k.key.kid);
  out->set_public_key_pem(k.key.public_pem);
  *out->mutable_activate_time() = ToProtoTime(k.activate_at);
  if (k.retire_at != absl::InfiniteFuture()) *out->mutable_retire_time() = ToProtoTime(k.retire_at);
}

void ToProto(SignIn s, v1::LoginResponse* resp) {
  resp->set_token(std::move(s.token));
  *resp->mutable_expire_time() = ToProtoTime(s.expires);
  *resp->mutable_account() = std::move(s.account);
}

}  // namespace

grpc::Status AccountServiceHandler::CreateAccount(grpc::ServerContext* ctx, const v1::CreateAccountRequest* req,
                                                  v1::CreateAccountResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) { return accounts_->Create(req->account(), req->request_id(), call.caller); },
      [&](AccountWithSecret a) {
        *resp->mutable_account() = std::move(a.account);
        resp->set_secret(std::move(a.secret));
      });
}

grpc::Status AccountServiceHandler::GetAccount(grpc::ServerContext* ctx, const v1::GetAccountRequest* req,
                                               v1::GetAccountResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->Get(req->name()); },
      [&](v1::Account a) { *resp->mutable_account() = std::move(a); });
}

grpc::Status AccountServiceHandler::ListAccounts(grpc::ServerContext* ctx, const v1::ListAccountsRequest* req,
                                                 v1::ListAccountsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return accounts_->List({.role = req->role(), .region_code = req->region_code()}, req->page_size(),
                               req->page_token());
      },
      [&](AccountPage page) {
        for (auto& a : page.accounts) *resp->add_accounts() = std::move(a);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status AccountServiceHandler::UpdateAccount(grpc::ServerContext* ctx, const v1::UpdateAccountRequest* req,
                                                  v1::UpdateAccountResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        std::vector<std::string> paths(req->update_mask().paths().begin(), req->update_mask().paths().end());
        return accounts_->Update(req->account(), paths, call.caller);
      },
      [&](v1::Account a) { *resp->mutable_account() = std::move(a); });
}

grpc::Status AccountServiceHandler::ResetCredentials(grpc::ServerContext* ctx, const v1::ResetCredentialsRequest* req,
                                                     v1::ResetCredentialsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return accounts_->ResetCredentials(req->name(), req->etag()); },
      [&](AccountWithSecret a) {
        *resp->mutable_account() = std::move(a.account);
        resp->set_secret(std::move(a.secret));
      });
}

grpc::Status AccountServiceHandler::RevokeTokens(grpc::ServerContext* ctx, const v1::RevokeTokensRequest* req,
                                                 v1::RevokeTokensResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->RevokeTokens(req->name()); },
      [&](absl::Time t) { *resp->mutable_revoke_time() = ToProtoTime(t); });
}

namespace {

// For operators: a burst of wrong passwords or lockouts shows on /metrics.
void CountRefusal(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnauthenticated) metrics::CountSignInRefusal("wrong_credentials");
  if (status.code() != absl::StatusCode::kResourceExhausted) return;
  const std::optional<ErrorReason> why = GetReason(status);
  metrics::CountSignInRefusal(why && why->reason == "ACCOUNT_LOCKED" ? "locked" : "throttled");
}

}  // namespace

grpc::Status AccountServiceHandler::Login(grpc::ServerContext* ctx, const v1::LoginRequest* req,
                                          v1::LoginResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        auto in = accounts_->Login(req->name(), req->password(), req->new_password(), call.peer_address);
        CountRefusal(in.status());
        return in;
      },
      [&](SignIn s) { ToProto(std::move(s), resp); });
}

grpc::Status AccountServiceHandler::LoginWithApiKey(grpc::ServerContext* ctx, const v1::LoginWithApiKeyRequest* req,
                                                    v1::LoginResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->LoginWithApiKey(req->api_key()); },
      [&](SignIn s) { ToProto(std::move(s), resp); });
}

grpc::Status AccountServiceHandler::ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                                                   v1::ChangePasswordResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        // Identity, not authorization: callers change their own password.
        return accounts_->ChangePassword(call.principal.subject, req->password(), req->new_password(),
                                         call.peer_address);
      },
      [&](v1::Account a) { *resp->mutable_account() = std::move(a); });
}

grpc::Status AccountServiceHandler::RenewToken(grpc::ServerContext* ctx, const v1::RenewTokenRequest* req,
                                               v1::RenewTokenResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext& call) { return accounts_->Renew(call.principal); },
      [&](SignIn s) {
        resp->set_token(std::move(s.token));
        *resp->mutable_expire_time() = ToProtoTime(s.expires);
        *resp->mutable_session_end_time() = ToProtoTime(s.session_end);
        *resp->mutable_account() = std::move(s.account);
      });
}

grpc::Status AccountServiceHandler::ListSigningKeys(grpc::ServerContext* ctx, const v1::ListSigningKeysRequest* req,
                                                    v1::ListSigningKeysResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->SigningKeys(); },
      [&](const std::vector<StoredKey>& keys) {
        for (const auto& k : keys) ToProto(k, resp->add_keys());
      });
}

grpc::Status AccountServiceHandler::RotateSigningKey(grpc::ServerContext* ctx, const v1::RotateSigningKeyRequest* req,
                                                     v1::RotateSigningKeyResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->RotateSigningKey(); },
      [&](const StoredKey& k) { ToProto(k, resp->mutable_key()); });
}

grpc::Status AccountServiceHandler::ListRevocations(grpc::ServerContext* ctx, const v1::ListRevocationsRequest* req,
                                                    v1::ListRevocationsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return accounts_->Revocations(); },
      [&](const std::vector<Revocation>& list) {
        for (const Revocation& rev : list) {
          auto* r = resp->add_revocations();
          r->set_name(rev.name);
          *r->mutable_not_before() = ToProtoTime(rev.at);
          r->set_min_generation(rev.min_generation);
        }
      });
}

}  // namespace kla::registry
