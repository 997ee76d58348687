#include "services/scoring/handlers/scoring_service.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "libs/common/page_token.h"
#include "libs/metrics/metrics.h"
namespace kla::scoring {
namespace {

// For operators: how ranking reads are answered (memory, redis, database).
void CountRead(v1::RankingSource source) {
  const std::string name = v1::RankingSource_Name(source);
  metrics::CountRankingRead(absl::AsciiStrToLower(absl::StripPrefix(name, "RANKING_SOURCE_")));
}

}  // namespace

grpc::Status ScoringServiceHandler::GetScore(grpc::ServerContext* ctx, const v1::GetScoreRequest* req,
                                             v1::GetScoreResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->scores.GetScore(req->cycle_id(), req->region_code(), req->stage(),
                                         req->view() == v1::SCORE_VIEW_EXPLAINED, call.principal);
      },
      [&](v1::RegionScore s) { *resp->mutable_score() = std::move(s); });
}

grpc::Status ScoringServiceHandler::GetNextLevelPath(grpc::ServerContext* ctx, const v1::GetNextLevelPathRequest* req,
                                                     v1::GetNextLevelPathResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->scores.GetPath(req->cycle_id(), req->region_code(), req->stage(), call.principal);
      },
      [&](v1::NextLevelPath p) { *resp->mutable_path() = std::move(p); });
}

grpc::Status ScoringServiceHandler::DryRunScore(grpc::ServerContext* ctx, const v1::DryRunScoreRequest* req,
                                                v1::DryRunScoreResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        // The rule table admits only the region's own reach.
        return scoring_->scores.DryRunScore(req->cycle_id(), req->region_code(),
                                            {req->answers().begin(), req->answers().end()});
      },
      [&](DryRun d) {
        *resp->mutable_score() = std::move(d.score);
        *resp->mutable_path() = std::move(d.path);
      });
}

grpc::Status ScoringServiceHandler::GetRanking(grpc::ServerContext* ctx, const v1::GetRankingRequest* req,
                                               v1::GetRankingResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->rankings.GetRanking({.cycle_id = req->cycle_id(),
                                              .view = req->view(),
                                              .stage = req->stage(),
                                              .province_code = req->province_code(),
                                              .page_size = req->page_size(),
                                              .page_token = req->page_token(),
                                              .predicate = req->predicate(),
                                              .region_level = req->region_level(),
                                              .name_query = req->name_query(),
                                              .order_by = req->order_by()},
                                             call.principal);
      },
      [&](RankingPage page) {
        resp->set_snapshot_id(page.snapshot_id);
        resp->set_view(page.view);
        resp->set_stage(page.stage);
        for (auto& e : page.entries) *resp->add_entries() = std::move(e);
        resp->set_total_size(page.total_size);
        resp->set_next_page_token(page.next_page_token);
        resp->set_source(page.source);
        CountRead(page.source);
      });
}

grpc::Status ScoringServiceHandler::GetRegionRank(grpc::ServerContext* ctx, const v1::GetRegionRankRequest* req,
                                                  v1::GetRegionRankResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->rankings.GetRegionRank(req->cycle_id(), req->region_code(), req->view(), req->stage(),
                                                call.principal);
      },
      [&](RegionRank r) {
        *resp->mutable_entry() = std::move(r.entry);
        resp->set_national_count(r.national_count);
        resp->set_province_count(r.province_count);
        resp->set_snapshot_id(r.snapshot_id);
        resp->set_view(r.view);
        resp->set_source(r.source);
        CountRead(r.source);
      });
}

grpc::Status ScoringServiceHandler::GetPredicateSummary(grpc::ServerContext* ctx,
                                                        const v1::GetPredicateSummaryRequest* req,
                                                        v1::GetPredicateSummaryResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->rankings.GetSummary(req->cycle_id(), req->view(), req->stage(), call.principal);
      },
      [&](SummaryResult r) {
        for (auto& c : r.summary.counts) *resp->add_counts() = std::move(c);
        resp->set_awarded_count(r.summary.awarded);
        resp->set_regency_count(r.summary.regencies);
        resp->set_unranked(r.summary.unranked);
        for (auto& p : r.summary.provinces) *resp->add_provinces() = std::move(p);
        resp->set_snapshot_id(r.snapshot_id);
        resp->set_view(r.view);
      });
}

grpc::Status ScoringServiceHandler::ListPredicateChanges(grpc::ServerContext* ctx,
                                                         const v1::ListPredicateChangesRequest* req,
                                                         v1::ListPredicateChangesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->rankings.ListPredicateChanges({.cycle_id = req->cycle_id(),
                                                        .previous_cycle_id = req->previous_cycle_id(),
                                                        .page_size = req->page_size(),
                                                        .page_token = req->page_token()},
                                                       call.principal);
      },
      [&](ChangesPage page) {
        resp->set_previous_cycle_id(page.previous_cycle_id);
        for (auto& c : page.changes) *resp->add_changes() = std::move(c);
        resp->set_up_count(page.up_count);
        resp->set_down_count(page.down_count);
        resp->set_next_page_token(std::move(page.next_page_token));
      });
}

grpc::Status ScoringServiceHandler::GetProvila(grpc::ServerContext* ctx, const v1::GetProvilaRequest* req,
                                               v1::GetProvilaResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->rankings.GetProvila(req->cycle_id(), req->view(), call.principal);
      },
      [&](ProvilaResult r) {
        for (auto& p : r.provinces) *resp->add_provinces() = std::move(p);
        resp->set_snapshot_id(r.snapshot_id);
        resp->set_view(r.view);
      });
}

grpc::Status ScoringServiceHandler::GetScoreHistory(grpc::ServerContext* ctx, const v1::GetScoreHistoryRequest* req,
                                                    v1::GetScoreHistoryResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) { return scoring_->scores.History(req->region_code(), call.principal); },
      [&](std::vector<v1::HistoryEntry> entries) {
        for (auto& e : entries) *resp->add_entries() = std::move(e);
      });
}

grpc::Status ScoringServiceHandler::PublishResults(grpc::ServerContext* ctx, const v1::PublishResultsRequest* req,
                                                   v1::PublishResultsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->publishing.Publish(req->cycle_id(), req->kind(), call.principal);
      },
      [&](v1::Publication p) { *resp->mutable_publication() = std::move(p); });
}

grpc::Status ScoringServiceHandler::ListPublications(grpc::ServerContext* ctx, const v1::ListPublicationsRequest* req,
                                                     v1::ListPublicationsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) -> absl::StatusOr<Page<v1::Publication>> {
        auto pubs = scoring_->publishing.ListPublications(req->cycle_id(), call.principal);
        if (!pubs.ok()) return pubs.status();
        return PageOf(*std::move(pubs), req->page_size(), req->page_token(),
                      absl::StrCat("publications|", req->cycle_id()),
                      [](const v1::Publication& p) { return absl::StrFormat("%04d", p.kind()); });
      },
      [&](Page<v1::Publication> page) {
        for (auto& p : page.items) *resp->add_publications() = std::move(p);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status ScoringServiceHandler::ImportPastResults(grpc::ServerContext* ctx, const v1::ImportPastResultsRequest* req,
                                                      v1::ImportPastResultsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->publishing.ImportPastResults(req->csv(), req->validate_only(), call.principal);
      },
      [&](PastImport r) {
        resp->set_imported(r.imported);
        for (auto& c : r.cycle_ids) resp->add_cycle_ids(std::move(c));
      });
}

grpc::Status ScoringServiceHandler::RecomputeCycle(grpc::ServerContext* ctx, const v1::RecomputeCycleRequest* req,
                                                   v1::RecomputeCycleResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return scoring_->jobs.Recompute(req->cycle_id(), req->request_id(), call.principal);
      },
      [&](v1::RecomputeJob j) { *resp->mutable_job() = std::move(j); });
}

grpc::Status ScoringServiceHandler::GetRecomputeJob(grpc::ServerContext* ctx, const v1::GetRecomputeJobRequest* req,
                                                    v1::GetRecomputeJobResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return scoring_->jobs.GetJob(req->job_id()); },
      [&](v1::RecomputeJob j) { *resp->mutable_job() = std::move(j); });
}

}  // namespace kla::scoring
