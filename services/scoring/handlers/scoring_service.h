#pragma once

#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/scoring/domain/scoring.h"

namespace kla::scoring {

// gRPC handlers of kla.scoring.v1.ScoringService: parse, call the domain,
// map the result.
class ScoringServiceHandler final : public v1::ScoringService::Service {
 public:
  ScoringServiceHandler(ScoringUseCases* scoring, rpc::CallPolicy policy) : scoring_(scoring), policy_(policy) {}

  grpc::Status GetScore(grpc::ServerContext* ctx, const v1::GetScoreRequest* req, v1::GetScoreResponse* resp) override;
  grpc::Status GetNextLevelPath(grpc::ServerContext* ctx, const v1::GetNextLevelPathRequest* req,
                                v1::GetNextLevelPathResponse* resp) override;
  grpc::Status DryRunScore(grpc::ServerContext* ctx, const v1::DryRunScoreRequest* req,
                           v1::DryRunScoreResponse* resp) override;
  grpc::Status GetRanking(grpc::ServerContext* ctx, const v1::GetRankingRequest* req,
                          v1::GetRankingResponse* resp) override;
  grpc::Status GetRegionRank(grpc::ServerContext* ctx, const v1::GetRegionRankRequest* req,
                             v1::GetRegionRankResponse* resp) override;
  grpc::Status GetPredicateSummary(grpc::ServerContext* ctx, const v1::GetPredicateSummaryRequest* req,
                                   v1::GetPredicateSummaryResponse* resp) override;
  grpc::Status GetProvila(grpc::ServerContext* ctx, const v1::GetProvilaRequest* req,
                          v1::GetProvilaResponse* resp) override;
  grpc::Status ListPredicateChanges(grpc::ServerContext* ctx, const v1::ListPredicateChangesRequest* req,
                                    v1::ListPredicateChangesResponse* resp) override;
  grpc::Status GetScoreHistory(grpc::ServerContext* ctx, const v1::GetScoreHistoryRequest* req,
                               v1::GetScoreHistoryResponse* resp) override;
  grpc::Status PublishResults(grpc::ServerContext* ctx, const v1::PublishResultsRequest* req,
                              v1::PublishResultsResponse* resp) override;
  grpc::Status ListPublications(grpc::ServerContext* ctx, const v1::ListPublicationsRequest* req,
                                v1::ListPublicationsResponse* resp) override;
  grpc::Status ImportPastResults(grpc::ServerContext* ctx, const v1::ImportPastResultsRequest* req,
                                 v1::ImportPastResultsResponse* resp) override;
  grpc::Status RecomputeCycle(grpc::ServerContext* ctx, const v1::RecomputeCycleRequest* req,
                              v1::RecomputeCycleResponse* resp) override;
  grpc::Status GetRecomputeJob(grpc::ServerContext* ctx, const v1::GetRecomputeJobRequest* req,
                               v1::GetRecomputeJobResponse* resp) override;

 private:
  ScoringUseCases* scoring_;
  rpc::CallPolicy policy_;
};

}  // namespace kla::scoring
