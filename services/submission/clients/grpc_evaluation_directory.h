#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "services/registry/remote/registry_reader.h"
#include "services/submission/domain/evaluation_directory.h"

namespace kla::submission {

// EvaluationDirectory over the registry's gRPC API, called with the
// submission service's own token and a deadline on every call. Rulebooks
// are immutable and cached for good; a cycle is cached with all its
// extensions for a few seconds (so an admin's change shows within that
// time; a call about to be refused for its window re-reads them first), and
// windows are computed from them; the list of kabupaten/kota is
// fetched whole and kept for a minute-scale time. A national ingest then
// costs the registry a few calls, not two per region.
class GrpcEvaluationDirectory final : public EvaluationDirectory {
 public:
  using ChannelSource = registry::RegistryReader::ChannelSource;
  using TokenSource = registry::RegistryReader::TokenSource;

  GrpcEvaluationDirectory(ChannelSource channel, TokenSource token, const Clock* clock,
                          absl::Duration call_timeout = absl::Seconds(5), absl::Duration cache_ttl = absl::Seconds(5));

  absl::StatusOr<registry::v1::Cycle> GetCycle(const std::string& cycle_id) override;
  absl::StatusOr<std::shared_ptr<const RulebookIndex>> GetRulebook(const std::string& version) override;
  absl::StatusOr<Window> GetWindow(const std::string& cycle_id, const std::string& region_code,
                                   registry::v1::CyclePhase phase, bool fresh) override;
  absl::Status CheckRegency(const std::string& region_code) override;

 private:
  template <typename T>
  struct Cached {
    T value;
    absl::Time fetched;
  };
  registry::RegistryReader registry_;
  const Clock* clock_;
  absl::Duration ttl_;

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const RulebookIndex>> rulebooks_ ABSL_GUARDED_BY(mu_);
  struct CycleWithExtensions {
    registry::v1::Cycle cycle;
    std::vector<registry::v1::RegionExtension> extensions;  // newest first
  };
  // From the cache unless `fresh` or older than the TTL.
  // Shared, not copied: every submission call reads it several times.
  absl::StatusOr<std::shared_ptr<const CycleWithExtensions>> LoadCycle(const std::string& cycle_id, bool fresh);

  std::map<std::string, Cached<std::shared_ptr<const CycleWithExtensions>>> cycles_ ABSL_GUARDED_BY(mu_);
  std::optional<Cached<std::set<std::string>>> regencies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::submission
