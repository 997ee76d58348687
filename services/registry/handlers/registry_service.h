#pragma once

#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/registry.h"
#include "services/registry/domain/rulebook_library.h"

namespace kla::registry {

// gRPC handlers of kla.registry.v1.RegistryService: parse, call the domain,
// map the result. No business rules here.
class RegistryServiceHandler final : public v1::RegistryService::Service {
 public:
  RegistryServiceHandler(RegionDirectory* regions, RulebookLibrary* rulebooks, rpc::CallPolicy policy)
      : regions_(regions), rulebooks_(rulebooks), policy_(policy) {}

  grpc::Status GetRegion(grpc::ServerContext* ctx, const v1::GetRegionRequest* req,
                         v1::GetRegionResponse* resp) override;
  grpc::Status ListRegions(grpc::ServerContext* ctx, const v1::ListRegionsRequest* req,
                           v1::ListRegionsResponse* resp) override;
  grpc::Status SearchRegions(grpc::ServerContext* ctx, const v1::SearchRegionsRequest* req,
                             v1::SearchRegionsResponse* resp) override;
  grpc::Status ImportRegions(grpc::ServerContext* ctx, const v1::ImportRegionsRequest* req,
                             v1::ImportRegionsResponse* resp) override;
  grpc::Status ValidateRulebook(grpc::ServerContext* ctx, const v1::ValidateRulebookRequest* req,
                                v1::ValidateRulebookResponse* resp) override;
  grpc::Status UploadRulebook(grpc::ServerContext* ctx, const v1::UploadRulebookRequest* req,
                              v1::UploadRulebookResponse* resp) override;
  grpc::Status GetRulebook(grpc::ServerContext* ctx, const v1::GetRulebookRequest* req,
                           v1::GetRulebookResponse* resp) override;
  grpc::Status ListRulebooks(grpc::ServerContext* ctx, const v1::ListRulebooksRequest* req,
                             v1::ListRulebooksResponse* resp) override;

 private:
  RegionDirectory* regions_;
  RulebookLibrary* rulebooks_;
  rpc::CallPolicy policy_;
};

// Domain region -> proto.
void ToProto(const Region& region, v1::Region* out);

}  // namespace kla::registry
