#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "services/registry/remote/registry_reader.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// ScoringDirectory over the registry's gRPC API. Rulebooks are immutable per
// version and kept for good; a cycle for a few seconds (a state change or
// a new announcement time shows within that); the kabupaten/kota list for
// minutes.
class GrpcScoringDirectory final : public ScoringDirectory {
 public:
  GrpcScoringDirectory(registry::RegistryReader::ChannelSource channel, registry::RegistryReader::TokenSource token,
                       const Clock* clock, absl::Duration cache_ttl = absl::Seconds(5));

  absl::StatusOr<std::shared_ptr<const registry::v1::Cycle>> GetCycle(const std::string& cycle_id, bool fresh) override;
  absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() override;
  absl::StatusOr<std::shared_ptr<const registry::v1::Rulebook>> GetRulebook(const std::string& version) override;
  absl::StatusOr<std::shared_ptr<const RegionList>> Regencies() override;
  absl::StatusOr<absl::Time> CloseFor(const std::string& cycle_id, const std::string& region_code,
                                      registry::v1::CyclePhase phase) override;

 private:
  registry::RegistryReader registry_;
  const Clock* clock_;
  absl::Duration ttl_;
  absl::Mutex mu_;
  std::map<std::string, std::pair<std::shared_ptr<const registry::v1::Cycle>, absl::Time>> cycles_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const registry::v1::Rulebook>> rulebooks_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const RegionList> regions_ ABSL_GUARDED_BY(mu_);
  absl::Time regions_fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace kla::scoring
