#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/cycle.pb.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "kla/type/v1/region.pb.h"

namespace kla::scoring {

// A kabupaten/kota as rankings show it.
struct RegionInfo {
  std::string code;
  std::string name;
  std::string province_code;
  std::string province_name;
  // Kabupaten or kota, as the registry says.
  type::v1::RegionLevel level = type::v1::REGION_LEVEL_UNSPECIFIED;
};

// Kabupaten/kota by code (the official list).
using RegionList = std::map<std::string, RegionInfo>;

// What scoring needs from the registry. Implemented over gRPC
// (GrpcScoringDirectory, cached) and by fakes in tests.
class ScoringDirectory {
 public:
  virtual ~ScoringDirectory() = default;
  // NOT_FOUND for an unknown cycle; UNAVAILABLE when the registry is down.
  // `fresh`: the answer decides a refusal or a publication, so a cache must
  // not be stale (a cycle just advanced).
  // Shared, not copied: every ranking read checks its cycle.
  virtual absl::StatusOr<std::shared_ptr<const registry::v1::Cycle>> GetCycle(const std::string& cycle_id,
                                                                              bool fresh) = 0;
  virtual absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() = 0;
  // Rulebooks are immutable per version.
  virtual absl::StatusOr<std::shared_ptr<const registry::v1::Rulebook>> GetRulebook(const std::string& version) = 0;
  virtual absl::StatusOr<std::shared_ptr<const RegionList>> Regencies() = 0;
  // When `phase` closes for one region (its extension included), fresh: it
  // decides whether the region still holds a publication.
  virtual absl::StatusOr<absl::Time> CloseFor(const std::string& cycle_id, const std::string& region_code,
                                              registry::v1::CyclePhase phase) = 0;
};

}  // namespace kla::scoring
