#include "services/registry/handlers/registry_service.h"

namespace kla::registry {
namespace {

RegionLevel FromProto(kla::type::v1::RegionLevel level) { return static_cast<RegionLevel>(level); }

template <typename Resp>
void FillPage(const RegionPage& page, Resp* resp) {
  for (const Region& r : page.regions) ToProto(r, resp->add_regions());
  resp->set_next_page_token(page.next_page_token);
  resp->set_total_size(page.total_size);
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
  return rpc::RunUnary(ctx, policy_, [&](const rpc::CallContext&) -> absl::Status {
    auto region = regions_->GetRegion(req->code());
    if (!region.ok()) return region.status();
    ToProto(*region, resp->mutable_region());
    return absl::OkStatus();
  });
}

grpc::Status RegistryServiceHandler::ListRegions(grpc::ServerContext* ctx, const v1::ListRegionsRequest* req,
                                                 v1::ListRegionsResponse* resp) {
  return rpc::RunUnary(ctx, policy_, [&](const rpc::CallContext&) -> absl::Status {
    auto page = regions_->ListRegions({.province_code = req->province_code(),
                                       .level = FromProto(req->level()),
                                       .page_size = req->page_size(),
                                       .page_token = req->page_token()});
    if (!page.ok()) return page.status();
    FillPage(*page, resp);
    return absl::OkStatus();
  });
}

grpc::Status RegistryServiceHandler::SearchRegions(grpc::ServerContext* ctx, const v1::SearchRegionsRequest* req,
                                                   v1::SearchRegionsResponse* resp) {
  return rpc::RunUnary(ctx, policy_, [&](const rpc::CallContext&) -> absl::Status {
    auto page = regions_->SearchRegions({.query = req->query(),
                                         .level = FromProto(req->level()),
                                         .page_size = req->page_size(),
                                         .page_token = req->page_token()});
    if (!page.ok()) return page.status();
    FillPage(*page, resp);
    return absl::OkStatus();
  });
}

grpc::Status RegistryServiceHandler::ImportRegions(grpc::ServerContext* ctx, const v1::ImportRegionsRequest* req,
                                                   v1::ImportRegionsResponse* resp) {
  return rpc::RunUnary(ctx, policy_, [&](const rpc::CallContext&) -> absl::Status {
    auto outcome = regions_->ImportRegions({.request_id = req->request_id(),
                                            .provinces_csv = req->provinces_csv(),
                                            .regencies_csv = req->regencies_csv(),
                                            .validate_only = req->validate_only()});
    if (!outcome.ok()) return outcome.status();
    resp->set_created(outcome->created);
    resp->set_updated(outcome->updated);
    resp->set_unchanged(outcome->unchanged);
    for (const auto& c : outcome->missing_codes) resp->add_missing_codes(c);
    resp->set_province_count(outcome->province_count);
    resp->set_regency_count(outcome->regency_count);
    return absl::OkStatus();
  });
}

}  // namespace kla::registry
