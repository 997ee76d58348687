#include "services/registry/remote/registry_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/call_deadline.h"
#include "libs/rpc/error_mapping.h"

namespace kla::registry {
namespace {

// The registry's answer as the calling service reports it: NOT_FOUND and
// bad input pass through; anything else means the registry could not answer.
absl::Status FromRegistry(const grpc::Status& s) {
  absl::Status st = rpc::FromGrpcStatus(s);
  switch (st.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kInvalidArgument:
      return st;
    default:
      return absl::UnavailableError(absl::StrCat("the registry did not answer: ", st.message()));
  }
}

}  // namespace

v1::RegistryService::Stub* RegistryReader::Stub() {
  absl::MutexLock lock(&mu_);
  if (stub_ == nullptr) stub_ = v1::RegistryService::NewStub(channel_source_());
  return stub_.get();
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> RegistryReader::Context() {
  auto token = token_();
  if (!token.ok()) return absl::UnavailableError(absl::StrCat("no token for the registry: ", token.status().message()));
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(OutboundDeadline(call_timeout_)));
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  return ctx;
}

absl::StatusOr<v1::Cycle> RegistryReader::GetCycle(const std::string& cycle_id) {
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  v1::GetCycleRequest req;
  req.set_cycle_id(cycle_id);
  v1::GetCycleResponse resp;
  grpc::Status s = Stub()->GetCycle(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  return std::move(*resp.mutable_cycle());
}

absl::StatusOr<std::vector<v1::RegionExtension>> RegistryReader::ListExtensions(const std::string& cycle_id) {
  std::vector<v1::RegionExtension> out;
  v1::ListExtensionsRequest req;
  req.set_cycle_id(cycle_id);
  req.set_page_size(1000);
  do {  // every page, newest first throughout
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    v1::ListExtensionsResponse resp;
    grpc::Status s = Stub()->ListExtensions(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    out.insert(out.end(), resp.extensions().begin(), resp.extensions().end());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

absl::StatusOr<v1::GetRegionWindowResponse> RegistryReader::GetRegionWindow(const std::string& cycle_id,
                                                                            const std::string& region_code,
                                                                            v1::CyclePhase phase) {
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  v1::GetRegionWindowRequest req;
  req.set_cycle_id(cycle_id);
  req.set_region_code(region_code);
  req.set_phase(phase);
  v1::GetRegionWindowResponse resp;
  grpc::Status s = Stub()->GetRegionWindow(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  return resp;
}

absl::StatusOr<v1::Rulebook> RegistryReader::GetRulebook(const std::string& version) {
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  v1::GetRulebookRequest req;
  req.set_version(version);
  v1::GetRulebookResponse resp;
  grpc::Status s = Stub()->GetRulebook(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  return std::move(*resp.mutable_rulebook()->mutable_rulebook());
}

absl::StatusOr<std::vector<v1::Region>> RegistryReader::ListRegencies() {
  std::vector<v1::Region> out;
  v1::ListRegionsRequest req;
  req.set_page_size(1000);
  do {
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    v1::ListRegionsResponse resp;
    grpc::Status s = Stub()->ListRegions(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    for (auto& r : *resp.mutable_regions()) out.push_back(std::move(r));
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

absl::StatusOr<std::vector<v1::Cycle>> RegistryReader::ListCycles() {
  std::vector<v1::Cycle> out;
  v1::ListCyclesRequest req;
  req.set_page_size(1000);
  do {
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    v1::ListCyclesResponse resp;
    grpc::Status s = Stub()->ListCycles(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    for (auto& c : *resp.mutable_cycles()) out.push_back(std::move(c));
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

}  // namespace kla::registry
