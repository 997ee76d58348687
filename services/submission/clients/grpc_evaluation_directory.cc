#include "services/submission/clients/grpc_evaluation_directory.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
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

absl::StatusOr<std::shared_ptr<const GrpcEvaluationDirectory::CycleWithExtensions>> GrpcEvaluationDirectory::LoadCycle(
    const std::string& cycle_id, bool fresh) {
  if (!fresh) {
    std::lock_guard lock(mu_);
    auto it = cycles_.find(cycle_id);
    if (it != cycles_.end() && clock_->Now() - it->second.fetched < ttl_) return it->second.value;
  }
  auto out = std::make_shared<CycleWithExtensions>();
  {
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    registry::v1::GetCycleRequest req;
    req.set_cycle_id(cycle_id);
    registry::v1::GetCycleResponse resp;
    grpc::Status s = Stub()->GetCycle(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    out->cycle = resp.cycle();
  }
  {
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    registry::v1::ListExtensionsRequest req;
    req.set_cycle_id(cycle_id);
    registry::v1::ListExtensionsResponse resp;
    grpc::Status s = Stub()->ListExtensions(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    out->extensions.assign(resp.extensions().begin(), resp.extensions().end());
  }
  std::lock_guard lock(mu_);
  cycles_[cycle_id] = {out, clock_->Now()};
  return out;
}

absl::StatusOr<registry::v1::Cycle> GrpcEvaluationDirectory::GetCycle(const std::string& cycle_id) {
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const CycleWithExtensions> c, LoadCycle(cycle_id, false));
  return c->cycle;
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
                                                          registry::v1::CyclePhase phase, bool fresh) {
  // As the registry's GetRegionWindow: the phase's window, closed later by
  // the region's newest extension of that phase.
  auto window_in = [&](const CycleWithExtensions& c) -> std::optional<Window> {
    for (const auto& w : c.cycle.windows()) {
      if (w.phase() != phase) continue;
      Window out{FromTs(w.open_time()), FromTs(w.close_time()), false};
      for (const auto& e : c.extensions) {
        if (e.region_code() == region_code && e.phase() == phase) {
          out.close = FromTs(e.close_time());
          out.extended = true;
          break;
        }
      }
      return out;
    }
    return std::nullopt;
  };
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const CycleWithExtensions> c, LoadCycle(cycle_id, false));
  std::optional<Window> w = window_in(*c);
  const absl::Time now = clock_->Now();
  if (fresh && (!w || now < w->open || now > w->close)) {
    // A refusal is decided on fresh data: a window the ministry just moved
    // or an extension just granted counts at once.
    KLA_ASSIGN_OR_RETURN(c, LoadCycle(cycle_id, true));
    w = window_in(*c);
  }
  if (!w) {
    return absl::FailedPreconditionError(
        absl::StrCat("cycle ", cycle_id, " has no window for phase ", registry::v1::CyclePhase_Name(phase)));
  }
  return *w;
}

absl::Status GrpcEvaluationDirectory::CheckRegency(const std::string& region_code) {
  {
    std::lock_guard lock(mu_);
    if (regencies_ && clock_->Now() - regencies_->fetched < ttl_ * 60) {
      return regencies_->value.contains(region_code) ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
    }
  }
  // Every kabupaten/kota at once (514, one page).
  std::set<std::string> all;
  registry::v1::ListRegionsRequest req;
  req.set_page_size(1000);
  do {
    auto ctx = Context();
    if (!ctx.ok()) return ctx.status();
    registry::v1::ListRegionsResponse resp;
    grpc::Status s = Stub()->ListRegions(ctx->get(), req, &resp);
    if (!s.ok()) return FromRegistry(s);
    for (const auto& r : resp.regions()) all.insert(r.code());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  const bool found = all.contains(region_code);
  std::lock_guard lock(mu_);
  regencies_ = Cached<std::set<std::string>>{std::move(all), clock_->Now()};
  return found ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
}

}  // namespace kla::submission
