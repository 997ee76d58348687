#include "services/submission/clients/grpc_evaluation_directory.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/rpc/error_mapping.h"

namespace kla::submission {
namespace {

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(ts));
}

// The registry's answer as this service reports it: NOT_FOUND and bad input
// pass through; anything else means the registry could not answer.
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

GrpcEvaluationDirectory::GrpcEvaluationDirectory(ChannelSource channel, TokenSource token, const Clock* clock,
                                                 absl::Duration call_timeout, absl::Duration cache_ttl)
    : channel_source_(std::move(channel)),
      token_(std::move(token)),
      clock_(clock),
      call_timeout_(call_timeout),
      ttl_(cache_ttl) {}

registry::v1::RegistryService::Stub* GrpcEvaluationDirectory::Stub() {
  std::lock_guard lock(mu_);
  if (stub_ == nullptr) stub_ = registry::v1::RegistryService::NewStub(channel_source_());
  return stub_.get();
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> GrpcEvaluationDirectory::Context() {
  auto token = token_();
  if (!token.ok()) return absl::UnavailableError(absl::StrCat("no token for the registry: ", token.status().message()));
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  return ctx;
}

absl::StatusOr<registry::v1::Cycle> GrpcEvaluationDirectory::GetCycle(const std::string& cycle_id) {
  {
    std::lock_guard lock(mu_);
    auto it = cycles_.find(cycle_id);
    if (it != cycles_.end() && clock_->Now() - it->second.fetched < ttl_) return it->second.value;
  }
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  registry::v1::GetCycleRequest req;
  req.set_cycle_id(cycle_id);
  registry::v1::GetCycleResponse resp;
  grpc::Status s = Stub()->GetCycle(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  std::lock_guard lock(mu_);
  cycles_[cycle_id] = {resp.cycle(), clock_->Now()};
  return resp.cycle();
}

absl::StatusOr<std::shared_ptr<const RulebookIndex>> GrpcEvaluationDirectory::GetRulebook(const std::string& version) {
  {
    std::lock_guard lock(mu_);
    if (auto it = rulebooks_.find(version); it != rulebooks_.end()) return it->second;
  }
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  registry::v1::GetRulebookRequest req;
  req.set_version(version);
  registry::v1::GetRulebookResponse resp;
  grpc::Status s = Stub()->GetRulebook(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  auto index = std::make_shared<const RulebookIndex>(resp.rulebook().rulebook());
  std::lock_guard lock(mu_);
  rulebooks_[version] = index;  // immutable once a cycle uses it
  return index;
}

absl::StatusOr<Window> GrpcEvaluationDirectory::GetWindow(const std::string& cycle_id, const std::string& region_code,
                                                          registry::v1::CyclePhase phase) {
  const std::string key = absl::StrCat(cycle_id, "|", region_code, "|", phase);
  {
    std::lock_guard lock(mu_);
    auto it = windows_.find(key);
    if (it != windows_.end() && clock_->Now() - it->second.fetched < ttl_) return it->second.value;
  }
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  registry::v1::GetRegionWindowRequest req;
  req.set_cycle_id(cycle_id);
  req.set_region_code(region_code);
  req.set_phase(phase);
  registry::v1::GetRegionWindowResponse resp;
  grpc::Status s = Stub()->GetRegionWindow(ctx->get(), req, &resp);
  if (!s.ok()) return FromRegistry(s);
  Window w{FromTs(resp.open_time()), FromTs(resp.close_time()), resp.has_extension()};
  std::lock_guard lock(mu_);
  windows_[key] = {w, clock_->Now()};
  return w;
}

absl::Status GrpcEvaluationDirectory::CheckRegency(const std::string& region_code) {
  {
    std::lock_guard lock(mu_);
    auto it = regencies_.find(region_code);
    if (it != regencies_.end() && clock_->Now() - it->second.fetched < ttl_ * 60) {
      return it->second.value ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
    }
  }
  auto ctx = Context();
  if (!ctx.ok()) return ctx.status();
  registry::v1::GetRegionRequest req;
  req.set_code(region_code);
  registry::v1::GetRegionResponse resp;
  grpc::Status s = Stub()->GetRegion(ctx->get(), req, &resp);
  bool regency = false;
  if (s.ok()) {
    regency = resp.region().level() == type::v1::REGION_LEVEL_KABUPATEN ||
              resp.region().level() == type::v1::REGION_LEVEL_KOTA;
  } else if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
    return FromRegistry(s);
  }
  std::lock_guard lock(mu_);
  regencies_[region_code] = {regency, clock_->Now()};
  return regency ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
}

}  // namespace kla::submission
