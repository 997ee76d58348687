#pragma once

#include "kla/registry/v1/account.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/account.h"

namespace kla::registry {

// gRPC handlers of kla.registry.v1.AccountService: parse, call the domain,
// map the result. Access rules live in access_rules.cc, not here.
class AccountServiceHandler final : public v1::AccountService::Service {
 public:
  AccountServiceHandler(AccountManager* accounts, rpc::CallPolicy policy) : accounts_(accounts), policy_(policy) {}

  grpc::Status CreateAccount(grpc::ServerContext* ctx, const v1::CreateAccountRequest* req,
                             v1::CreateAccountResponse* resp) override;
  grpc::Status GetAccount(grpc::ServerContext* ctx, const v1::GetAccountRequest* req,
                          v1::GetAccountResponse* resp) override;
  grpc::Status ListAccounts(grpc::ServerContext* ctx, const v1::ListAccountsRequest* req,
                            v1::ListAccountsResponse* resp) override;
  grpc::Status UpdateAccount(grpc::ServerContext* ctx, const v1::UpdateAccountRequest* req,
                             v1::UpdateAccountResponse* resp) override;
  grpc::Status ResetCredentials(grpc::ServerContext* ctx, const v1::ResetCredentialsRequest* req,
                                v1::ResetCredentialsResponse* resp) override;
  grpc::Status RevokeTokens(grpc::ServerContext* ctx, const v1::RevokeTokensRequest* req,
                            v1::RevokeTokensResponse* resp) override;
  grpc::Status Login(grpc::ServerContext* ctx, const v1::LoginRequest* req, v1::LoginResponse* resp) override;
  grpc::Status LoginWithApiKey(grpc::ServerContext* ctx, const v1::LoginWithApiKeyRequest* req,
                               v1::LoginResponse* resp) override;
  grpc::Status ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                              v1::ChangePasswordResponse* resp) override;
  grpc::Status RenewToken(grpc::ServerContext* ctx, const v1::RenewTokenRequest* req,
                          v1::RenewTokenResponse* resp) override;
  grpc::Status ListSigningKeys(grpc::ServerContext* ctx, const v1::ListSigningKeysRequest* req,
                               v1::ListSigningKeysResponse* resp) override;
  grpc::Status RotateSigningKey(grpc::ServerContext* ctx, const v1::RotateSigningKeyRequest* req,
                                v1::RotateSigningKeyResponse* resp) override;
  grpc::Status ListRevocations(grpc::ServerContext* ctx, const v1::ListRevocationsRequest* req,
                               v1::ListRevocationsResponse* resp) override;

 private:
  AccountManager* accounts_;
  rpc::CallPolicy policy_;
};

}  // namespace kla::registry
