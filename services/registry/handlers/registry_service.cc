#include "services/registry/handlers/registry_service.h"

#include <google/protobuf/util/time_util.h>

#include <limits>

#include "absl/strings/str_format.h"
#include "libs/common/page_token.h"
#include "libs/kernel/time.h"

namespace kla::registry {
namespace {

RegionLevel FromProto(kla::type::v1::RegionLevel level) { return static_cast<RegionLevel>(level); }

template <typename Resp>
void FillPage(const RegionPage& page, Resp* resp) {
  for (const Region& r : page.regions) ToProto(r, resp->add_regions());
  resp->set_next_page_token(page.next_page_token);
  resp->set_total_size(page.total_size);
}

template <typename Req>
RulebookSource SourceOf(const Req& req) {
  RulebookSource src;
  if (req.has_rulebook()) src.rulebook = req.rulebook();
  if (req.source_case() == Req::kTextproto) src.textproto = req.textproto();
  return src;
}

void ToProto(const RulebookRecord& r, v1::StoredRulebook* out) {
  *out->mutable_rulebook() = r.rulebook;
  out->set_sha256(r.sha256);
  *out->mutable_upload_time() = ToProtoTime(r.uploaded_at);
  out->set_item_count(r.item_count);
}

}  // namespace

void ToProto(const Region& region, v1::Region* out) {
  out->set_code(region.code);
  out->set_name(region.name);
  out->set_level(static_cast<kla::type::v1::RegionLevel>(region.level));
  out->mutable_province()->set_code(region.province_code);
  out->mutable_province()->set_name(region.province_name);
  out->set_regency_count(region.regency_count);
}

grpc::Status RegistryServiceHandler::GetRegion(grpc::ServerContext* ctx, const v1::GetRegionRequest* req,
                                               v1::GetRegionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return regions_->GetRegion(req->code()); },
      [&](auto region) { ToProto(region, resp->mutable_region()); });
}

grpc::Status RegistryServiceHandler::ListRegions(grpc::ServerContext* ctx, const v1::ListRegionsRequest* req,
                                                 v1::ListRegionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return regions_->ListRegions({.province_code = req->province_code(),
                                      .level = FromProto(req->level()),
                                      .page_size = req->page_size(),
                                      .page_token = req->page_token()});
      },
      [&](const RegionPage& page) { FillPage(page, resp); });
}

grpc::Status RegistryServiceHandler::SearchRegions(grpc::ServerContext* ctx, const v1::SearchRegionsRequest* req,
                                                   v1::SearchRegionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return regions_->SearchRegions({.query = req->query(),
                                        .level = FromProto(req->level()),
                                        .page_size = req->page_size(),
                                        .page_token = req->page_token()});
      },
      [&](const RegionPage& page) { FillPage(page, resp); });
}

grpc::Status RegistryServiceHandler::ImportRegions(grpc::ServerContext* ctx, const v1::ImportRegionsRequest* req,
                                                   v1::ImportRegionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return regions_->ImportRegions({.request_id = req->request_id(),
                                        .provinces_csv = req->provinces_csv(),
                                        .regencies_csv = req->regencies_csv(),
                                        .validate_only = req->validate_only()});
      },
      [&](auto outcome) {
        resp->set_created(outcome.created);
        resp->set_updated(outcome.updated);
        resp->set_unchanged(outcome.unchanged);
        for (const auto& c : outcome.missing_codes) resp->add_missing_codes(c);
        resp->set_province_count(outcome.province_count);
        resp->set_regency_count(outcome.regency_count);
      });
}

grpc::Status RegistryServiceHandler::ValidateRulebook(grpc::ServerContext* ctx, const v1::ValidateRulebookRequest* req,
                                                      v1::ValidateRulebookResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return rulebooks_->Validate(SourceOf(*req)); },
      [&](auto report) {
        resp->set_valid(report.violations.empty());
        for (const auto& v : report.violations) {
          auto* out = resp->add_violations();
          out->set_field(v.field);
          out->set_description(v.description);
        }
        resp->set_indicator_count(report.indicator_count);
        resp->set_item_count(report.item_count);
      });
}

grpc::Status RegistryServiceHandler::UploadRulebook(grpc::ServerContext* ctx, const v1::UploadRulebookRequest* req,
                                                    v1::UploadRulebookResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return rulebooks_->Upload(req->request_id(), SourceOf(*req)); },
      [&](auto stored) {
        ToProto(stored.first, resp->mutable_rulebook());
        resp->set_created(stored.second);
      });
}

grpc::Status RegistryServiceHandler::GetRulebook(grpc::ServerContext* ctx, const v1::GetRulebookRequest* req,
                                                 v1::GetRulebookResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return rulebooks_->Get(req->version()); },
      [&](auto r) { ToProto(r, resp->mutable_rulebook()); });
}

grpc::Status RegistryServiceHandler::ListRulebooks(grpc::ServerContext* ctx, const v1::ListRulebooksRequest* req,
                                                   v1::ListRulebooksResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return rulebooks_->List(req->page_size(), req->page_token()); },
      [&](auto page) {
        for (const auto& r : page.rulebooks) {
          auto* s = resp->add_rulebooks();
          s->set_version(r.rulebook.version());
          s->set_title(r.rulebook.title());
          s->set_sha256(r.sha256);
          *s->mutable_upload_time() = ToProtoTime(r.uploaded_at);
          s->set_item_count(r.item_count);
          s->set_weights_illustrative(r.rulebook.weights_illustrative());
        }
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status RegistryServiceHandler::CreateCycle(grpc::ServerContext* ctx, const v1::CreateCycleRequest* req,
                                                 v1::CreateCycleResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return cycles_->Create(req->cycle()); },
      [&](auto value) { *resp->mutable_cycle() = std::move(value); });
}

grpc::Status RegistryServiceHandler::GetCycle(grpc::ServerContext* ctx, const v1::GetCycleRequest* req,
                                              v1::GetCycleResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return cycles_->Get(req->cycle_id()); },
      [&](auto value) { *resp->mutable_cycle() = std::move(value); });
}

grpc::Status RegistryServiceHandler::ListCycles(grpc::ServerContext* ctx, const v1::ListCyclesRequest* req,
                                                v1::ListCyclesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return cycles_->List(req->page_size(), req->page_token()); },
      [&](auto page) {
        for (auto& c : page.cycles) *resp->add_cycles() = std::move(c);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status RegistryServiceHandler::UpdateCycle(grpc::ServerContext* ctx, const v1::UpdateCycleRequest* req,
                                                 v1::UpdateCycleResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        std::vector<std::string> paths(req->update_mask().paths().begin(), req->update_mask().paths().end());
        return cycles_->Update(req->cycle(), paths);
      },
      [&](auto c) { *resp->mutable_cycle() = std::move(c); });
}

grpc::Status RegistryServiceHandler::AdvanceCycle(grpc::ServerContext* ctx, const v1::AdvanceCycleRequest* req,
                                                  v1::AdvanceCycleResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) { return cycles_->Advance(req->cycle_id(), req->etag(), call.caller); },
      [&](auto value) { *resp->mutable_cycle() = std::move(value); });
}

grpc::Status RegistryServiceHandler::ListCycleTransitions(grpc::ServerContext* ctx,
                                                          const v1::ListCycleTransitionsRequest* req,
                                                          v1::ListCycleTransitionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return cycles_->History(req->cycle_id()); },
      [&](auto h) {
        for (auto& t : h) *resp->add_transitions() = std::move(t);
      });
}

grpc::Status RegistryServiceHandler::GrantExtension(grpc::ServerContext* ctx, const v1::GrantExtensionRequest* req,
                                                    v1::GrantExtensionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return cycles_->GrantExtension(req->extension(), req->request_id(), call.caller);
      },
      [&](auto value) { *resp->mutable_extension() = std::move(value); });
}

grpc::Status RegistryServiceHandler::ListExtensions(grpc::ServerContext* ctx, const v1::ListExtensionsRequest* req,
                                                    v1::ListExtensionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) -> absl::StatusOr<Page<v1::RegionExtension>> {
        auto list = cycles_->Extensions(req->cycle_id(), req->region_code());
        if (!list.ok()) return list.status();
        // Newest first: keyed by the grant time, counted down.
        return PageOf(
            *std::move(list), req->page_size(), req->page_token(),
            absl::StrCat("extensions|", req->cycle_id(), "|", req->region_code()), [](const v1::RegionExtension& e) {
              return absl::StrCat(
                  absl::StrFormat("%020d", std::numeric_limits<int64_t>::max() - e.grant_time().seconds() * 1000000 -
                                               e.grant_time().nanos() / 1000),
                  "|", e.region_code(), "|", e.phase());
            });
      },
      [&](auto page) {
        for (auto& e : page.items) *resp->add_extensions() = std::move(e);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status RegistryServiceHandler::GetRegionWindow(grpc::ServerContext* ctx, const v1::GetRegionWindowRequest* req,
                                                     v1::GetRegionWindowResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return cycles_->WindowFor(req->cycle_id(), req->region_code(), req->phase()); },
      [&](auto w) {
        *resp->mutable_open_time() = ToProtoTime(w.open_time);
        *resp->mutable_close_time() = ToProtoTime(w.close_time);
        if (w.extension) *resp->mutable_extension() = *w.extension;
      });
}

grpc::Status RegistryServiceHandler::CreateTaskForce(grpc::ServerContext* ctx, const v1::CreateTaskForceRequest* req,
                                                     v1::CreateTaskForceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) { return task_forces_->Create(req->task_force(), call.caller); },
      [&](auto value) { *resp->mutable_task_force() = std::move(value); });
}

grpc::Status RegistryServiceHandler::GetTaskForce(grpc::ServerContext* ctx, const v1::GetTaskForceRequest* req,
                                                  v1::GetTaskForceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return task_forces_->Get(req->region_code()); },
      [&](auto value) { *resp->mutable_task_force() = std::move(value); });
}

grpc::Status RegistryServiceHandler::UpdateTaskForce(grpc::ServerContext* ctx, const v1::UpdateTaskForceRequest* req,
                                                     v1::UpdateTaskForceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        std::vector<std::string> paths(req->update_mask().paths().begin(), req->update_mask().paths().end());
        return task_forces_->Update(req->task_force(), paths, call.caller);
      },
      [&](auto tf) { *resp->mutable_task_force() = std::move(tf); });
}

grpc::Status RegistryServiceHandler::ListTaskForces(grpc::ServerContext* ctx, const v1::ListTaskForcesRequest* req,
                                                    v1::ListTaskForcesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return task_forces_->List(req->province_code(), req->page_size(), req->page_token());
      },
      [&](auto page) {
        for (auto& tf : page.task_forces) *resp->add_task_forces() = std::move(tf);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status RegistryServiceHandler::ListTaskForceRevisions(grpc::ServerContext* ctx,
                                                            const v1::ListTaskForceRevisionsRequest* req,
                                                            v1::ListTaskForceRevisionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req, [&](const rpc::CallContext&) { return task_forces_->History(req->region_code()); },
      [&](auto h) {
        for (auto& r : h) *resp->add_revisions() = std::move(r);
      });
}

grpc::Status RegistryServiceHandler::AddTaskForceMeeting(grpc::ServerContext* ctx,
                                                         const v1::AddTaskForceMeetingRequest* req,
                                                         v1::AddTaskForceMeetingResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return task_forces_->AddMeeting(req->meeting(), req->request_id()); },
      [&](auto value) { *resp->mutable_meeting() = std::move(value); });
}

grpc::Status RegistryServiceHandler::ListTaskForceMeetings(grpc::ServerContext* ctx,
                                                           const v1::ListTaskForceMeetingsRequest* req,
                                                           v1::ListTaskForceMeetingsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return task_forces_->Meetings(req->region_code(), req->year()); },
      [&](auto log) {
        for (auto& m : log.meetings) *resp->add_meetings() = std::move(m);
        resp->set_more_than_four_times(log.more_than_four);
      });
}

grpc::Status RegistryServiceHandler::CreateTraining(grpc::ServerContext* ctx, const v1::CreateTrainingRequest* req,
                                                    v1::CreateTrainingResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return trainings_->Create(req->training(), req->request_id()); },
      [&](auto value) { *resp->mutable_training() = std::move(value); });
}

grpc::Status RegistryServiceHandler::GetTraining(grpc::ServerContext* ctx, const v1::GetTrainingRequest* req,
                                                 v1::GetTrainingResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return trainings_->GetInRegion(req->region_code(), req->training_id()); },
      [&](auto value) { *resp->mutable_training() = std::move(value); });
}

grpc::Status RegistryServiceHandler::ListTrainings(grpc::ServerContext* ctx, const v1::ListTrainingsRequest* req,
                                                   v1::ListTrainingsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) -> absl::StatusOr<Page<v1::Training>> {
        auto list = trainings_->List(req->region_code(), req->year());
        if (!list.ok()) return list.status();
        return PageOf(*std::move(list), req->page_size(), req->page_token(),
                      absl::StrCat("trainings|", req->region_code(), "|", req->year()),
                      [](const v1::Training& t) { return absl::StrCat(t.start_date(), "|", t.id()); });
      },
      [&](auto page) {
        for (auto& t : page.items) *resp->add_trainings() = std::move(t);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status RegistryServiceHandler::ImportTrainingParticipants(grpc::ServerContext* ctx,
                                                                const v1::ImportTrainingParticipantsRequest* req,
                                                                v1::ImportTrainingParticipantsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return trainings_->ImportParticipants(req->region_code(), req->training_id(), req->csv(), req->request_id(),
                                              call.principal);
      },
      [&](auto r) {
        resp->set_added(r.added);
        resp->set_already_registered(r.already_registered);
      });
}

grpc::Status RegistryServiceHandler::ListTrainingParticipants(grpc::ServerContext* ctx,
                                                              const v1::ListTrainingParticipantsRequest* req,
                                                              v1::ListTrainingParticipantsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) { return trainings_->Participants(req->region_code(), req->training_id()); },
      [&](auto list) {
        for (auto& p : list) *resp->add_participants() = std::move(p);
      });
}

grpc::Status RegistryServiceHandler::CountTrainedStaff(grpc::ServerContext* ctx,
                                                       const v1::CountTrainedStaffRequest* req,
                                                       v1::CountTrainedStaffResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return trainings_->CountTrained(req->region_code(), req->from_date(), req->to_date());
      },
      [&](auto counts) {
        int total = 0;
        for (auto& c : counts) {
          total += c.count();
          *resp->add_counts() = std::move(c);
        }
        resp->set_total(total);
      });
}

}  // namespace kla::registry
