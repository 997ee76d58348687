#include "services/submission/clients/grpc_evaluation_directory.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "services/registry/rules/window.h"

namespace kla::submission {
namespace {}  // namespace

GrpcEvaluationDirectory::GrpcEvaluationDirectory(ChannelSource channel, TokenSource token, const Clock* clock,
                                                 absl::Duration call_timeout, absl::Duration cache_ttl)
    : registry_(std::move(channel), std::move(token), call_timeout), clock_(clock), ttl_(cache_ttl) {}

absl::StatusOr<std::shared_ptr<const GrpcEvaluationDirectory::CycleWithExtensions>> GrpcEvaluationDirectory::LoadCycle(
    const std::string& cycle_id, bool fresh) {
  if (!fresh) {
    absl::MutexLock lock(&mu_);
    auto it = cycles_.find(cycle_id);
    if (it != cycles_.end() && clock_->Now() - it->second.fetched < ttl_) return it->second.value;
  }
  auto out = std::make_shared<CycleWithExtensions>();
  KLA_ASSIGN_OR_RETURN(out->cycle, registry_.GetCycle(cycle_id));
  KLA_ASSIGN_OR_RETURN(out->extensions, registry_.ListExtensions(cycle_id));
  absl::MutexLock lock(&mu_);
  cycles_[cycle_id] = {out, clock_->Now()};
  return out;
}

absl::StatusOr<registry::v1::Cycle> GrpcEvaluationDirectory::GetCycle(const std::string& cycle_id) {
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const CycleWithExtensions> c, LoadCycle(cycle_id, false));
  return c->cycle;
}

absl::StatusOr<std::shared_ptr<const RulebookIndex>> GrpcEvaluationDirectory::GetRulebook(const std::string& version) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = rulebooks_.find(version); it != rulebooks_.end()) return it->second;
  }
  KLA_ASSIGN_OR_RETURN(registry::v1::Rulebook rulebook, registry_.GetRulebook(version));
  auto index = std::make_shared<const RulebookIndex>(std::move(rulebook));
  absl::MutexLock lock(&mu_);
  rulebooks_[version] = index;  // immutable once a cycle uses it
  return index;
}

absl::StatusOr<Window> GrpcEvaluationDirectory::GetWindow(const std::string& cycle_id, const std::string& region_code,
                                                          registry::v1::CyclePhase phase, bool fresh) {
  // As the registry's GetRegionWindow: the phase's window, closed later by
  // the region's newest extension of that phase.
  auto window_in = [&](const CycleWithExtensions& c) -> std::optional<Window> {
    auto w = registry::WindowOfRegion(c.cycle, c.extensions, region_code, phase);
    if (!w) return std::nullopt;
    return Window{w->open, w->close, w->extension.has_value()};
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
    return WithReason(absl::FailedPreconditionError(absl::StrCat("cycle ", cycle_id, " has no window for phase ",
                                                                 registry::v1::CyclePhase_Name(phase))),
                      "PHASE_NOT_SCHEDULED", {{"phase", registry::v1::CyclePhase_Name(phase)}});
  }
  return *w;
}

absl::Status GrpcEvaluationDirectory::CheckRegency(const std::string& region_code) {
  {
    absl::MutexLock lock(&mu_);
    if (regencies_ && clock_->Now() - regencies_->fetched < ttl_ * 60) {
      return regencies_->value.contains(region_code) ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
    }
  }
  // Every kabupaten/kota at once (514, one page).
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Region> regions, registry_.ListRegencies());
  std::set<std::string> all;
  for (const auto& r : regions) all.insert(r.code());
  const bool found = all.contains(region_code);
  absl::MutexLock lock(&mu_);
  regencies_ = Cached<std::set<std::string>>{std::move(all), clock_->Now()};
  return found ? absl::OkStatus() : NotFound("kabupaten/kota", region_code);
}

}  // namespace kla::submission
