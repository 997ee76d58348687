#include "services/scoring/clients/grpc_scoring_directory.h"

#include "absl/synchronization/mutex.h"
#include "libs/common/status_macros.h"

namespace kla::scoring {

GrpcScoringDirectory::GrpcScoringDirectory(registry::RegistryReader::ChannelSource channel,
                                           registry::RegistryReader::TokenSource token, const Clock* clock,
                                           absl::Duration cache_ttl)
    : registry_(std::move(channel), std::move(token)), clock_(clock), ttl_(cache_ttl) {}

absl::StatusOr<std::shared_ptr<const registry::v1::Cycle>> GrpcScoringDirectory::GetCycle(const std::string& cycle_id,
                                                                                          bool fresh) {
  if (!fresh) {
    absl::MutexLock lock(&mu_);
    auto it = cycles_.find(cycle_id);
    if (it != cycles_.end() && clock_->Now() - it->second.second < ttl_) return it->second.first;
  }
  KLA_ASSIGN_OR_RETURN(registry::v1::Cycle fetched, registry_.GetCycle(cycle_id));
  auto cycle = std::make_shared<const registry::v1::Cycle>(std::move(fetched));
  absl::MutexLock lock(&mu_);
  cycles_[cycle_id] = {cycle, clock_->Now()};
  return cycle;
}

absl::StatusOr<std::vector<registry::v1::Cycle>> GrpcScoringDirectory::ListCycles() { return registry_.ListCycles(); }

absl::StatusOr<std::shared_ptr<const registry::v1::Rulebook>> GrpcScoringDirectory::GetRulebook(
    const std::string& version) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = rulebooks_.find(version); it != rulebooks_.end()) return it->second;
  }
  KLA_ASSIGN_OR_RETURN(registry::v1::Rulebook rulebook, registry_.GetRulebook(version));
  auto shared = std::make_shared<const registry::v1::Rulebook>(std::move(rulebook));
  absl::MutexLock lock(&mu_);
  rulebooks_[version] = shared;
  return shared;
}

absl::StatusOr<std::shared_ptr<const RegionList>> GrpcScoringDirectory::Regencies() {
  {
    absl::MutexLock lock(&mu_);
    if (regions_ != nullptr && clock_->Now() - regions_fetched_ < ttl_ * 60) return regions_;
  }
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Region> regions, registry_.ListRegencies());
  auto list = std::make_shared<RegionList>();
  for (const auto& r : regions) {
    (*list)[r.code()] = RegionInfo{r.code(), r.name(), r.province().code(), r.province().name(), r.level()};
  }
  absl::MutexLock lock(&mu_);
  regions_ = std::move(list);
  regions_fetched_ = clock_->Now();
  return regions_;
}

absl::StatusOr<absl::Time> GrpcScoringDirectory::CloseFor(const std::string& cycle_id, const std::string& region_code,
                                                          registry::v1::CyclePhase phase) {
  KLA_ASSIGN_OR_RETURN(registry::v1::GetRegionWindowResponse w,
                       registry_.GetRegionWindow(cycle_id, region_code, phase));
  return absl::FromUnixSeconds(w.close_time().seconds()) + absl::Nanoseconds(w.close_time().nanos());
}

}  // namespace kla::scoring
