#pragma once

#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/cycle.h"
#include "services/registry/domain/registry.h"
#include "services/registry/domain/rulebook_library.h"
#include "services/registry/domain/taskforce.h"
#include "services/registry/domain/training.h"

namespace kla::registry {

// gRPC handlers of kla.registry.v1.RegistryService: parse, call the domain,
// map the result. No business rules here.
class RegistryServiceHandler final : public v1::RegistryService::Service {
 public:
  RegistryServiceHandler(RegionDirectory* regions, RulebookLibrary* rulebooks, CycleManager* cycles,
                         TaskForceRegistry* task_forces, TrainingRegistry* trainings, rpc::CallPolicy policy)
      : regions_(regions),
        rulebooks_(rulebooks),
        cycles_(cycles),
        task_forces_(task_forces),
        trainings_(trainings),
        policy_(policy) {}

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
  grpc::Status GetCycle(grpc::ServerContext* ctx, const v1::GetCycleRequest* req, v1::GetCycleResponse* resp) override;
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
  grpc::Status CreateTaskForce(grpc::ServerContext* ctx, const v1::CreateTaskForceRequest* req,
                               v1::CreateTaskForceResponse* resp) override;
  grpc::Status GetTaskForce(grpc::ServerContext* ctx, const v1::GetTaskForceRequest* req,
                            v1::GetTaskForceResponse* resp) override;
  grpc::Status UpdateTaskForce(grpc::ServerContext* ctx, const v1::UpdateTaskForceRequest* req,
                               v1::UpdateTaskForceResponse* resp) override;
  grpc::Status ListTaskForces(grpc::ServerContext* ctx, const v1::ListTaskForcesRequest* req,
                              v1::ListTaskForcesResponse* resp) override;
  grpc::Status ListTaskForceRevisions(grpc::ServerContext* ctx, const v1::ListTaskForceRevisionsRequest* req,
                                      v1::ListTaskForceRevisionsResponse* resp) override;
  grpc::Status AddTaskForceMeeting(grpc::ServerContext* ctx, const v1::AddTaskForceMeetingRequest* req,
                                   v1::AddTaskForceMeetingResponse* resp) override;
  grpc::Status ListTaskForceMeetings(grpc::ServerContext* ctx, const v1::ListTaskForceMeetingsRequest* req,
                                     v1::ListTaskForceMeetingsResponse* resp) override;
  grpc::Status CreateTraining(grpc::ServerContext* ctx, const v1::CreateTrainingRequest* req,
                              v1::CreateTrainingResponse* resp) override;
  grpc::Status GetTraining(grpc::ServerContext* ctx, const v1::GetTrainingRequest* req,
                           v1::GetTrainingResponse* resp) override;
  grpc::Status ListTrainings(grpc::ServerContext* ctx, const v1::ListTrainingsRequest* req,
                             v1::ListTrainingsResponse* resp) override;
  grpc::Status ImportTrainingParticipants(grpc::ServerContext* ctx, const v1::ImportTrainingParticipantsRequest* req,
                                          v1::ImportTrainingParticipantsResponse* resp) override;
  grpc::Status ListTrainingParticipants(grpc::ServerContext* ctx, const v1::ListTrainingParticipantsRequest* req,
                                        v1::ListTrainingParticipantsResponse* resp) override;
  grpc::Status CountTrainedStaff(grpc::ServerContext* ctx, const v1::CountTrainedStaffRequest* req,
                                 v1::CountTrainedStaffResponse* resp) override;

 private:
  RegionDirectory* regions_;
  RulebookLibrary* rulebooks_;
  CycleManager* cycles_;
  TaskForceRegistry* task_forces_;
  TrainingRegistry* trainings_;
  rpc::CallPolicy policy_;
};

// Domain region -> proto.
void ToProto(const Region& region, v1::Region* out);

}  // namespace kla::registry
