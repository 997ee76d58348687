#pragma once

#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/cycle.h"
#include "services/registry/domain/registry.h"
#include "services/registry/domain/rulebook_library.h"

namespace kla::registry {

// gRPC handlers of kla.registry.v1.RegistryService: parse, call the domain,
// map the result. No business rules here.
class RegistryServiceHandler final : public v1::RegistryService::Service {
 public:
  RegistryServiceHandler(RegionDirectory* regions, RulebookLibrary* rulebooks, CycleManager* cycles,
                         rpc::CallPolicy policy)
      : regions_(regions), rulebooks_(rulebooks), cycles_(cycles), policy_(policy) {}

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

  grpc::Status CreateCycle(grpc::ServerContext* ctx, const v1::CreateCycleRequest* req,
                      v1::CreateCycleResponse* resp) override;
  grpc::Status GetCycle(grpc::ServerContext* ctx, const v1::GetCycleRequest* req,
                      v1::GetCycleResponse* resp) override;
  grpc::Status ListCycles(grpc::ServerContext* ctx, const v1::ListCyclesRequest* req,
                      v1::ListCyclesResponse* resp) override;
  grpc::Status UpdateCycle(grpc::ServerContext* ctx, const v1::UpdateCycleRequest* req,
                      v1::UpdateCycleResponse* resp) override;
  grpc::Status AdvanceCycle(grpc::ServerContext* ctx, const v1::AdvanceCycleRequest* req,
                      v1::AdvanceCycleResponse* resp) override;
  grpc::Status ListCycleTransitions(grpc::ServerContext* ctx, const v1::ListCycleTransitionsRequest* req,
                      v1::ListCycleTransitionsResponse* resp) override;
  grpc::Status GrantExtension(grpc::ServerContext* ctx, const v1::GrantExtensionRequest* req,
                      v1::GrantExtensionResponse* resp) override;
  grpc::Status ListExtensions(grpc::ServerContext* ctx, const v1::ListExtensionsRequest* req,
                      v1::ListExtensionsResponse* resp) override;
  grpc::Status GetRegionWindow(grpc::ServerContext* ctx, const v1::GetRegionWindowRequest* req,
                      v1::GetRegionWindowResponse* resp) override;
 private:
  RegionDirectory* regions_;
  RulebookLibrary* rulebooks_;
  CycleManager* cycles_;
  rpc::CallPolicy policy_;
};

// Domain region -> proto.
void ToProto(const Region& region, v1::Region* out);

}  // namespace kla::registry
