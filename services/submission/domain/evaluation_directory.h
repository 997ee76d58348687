#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/cycle.pb.h"
#include "services/submission/domain/rulebook_index.h"

namespace kla::submission {

// A phase's window for one region: the cycle's, with the region's extension
// applied to its close.
struct Window {
  absl::Time open;
  absl::Time close;
  bool extended = false;
};

// What the submission service needs from the registry: cycles, their
// rulebooks and windows, and whether a region exists. Implemented over gRPC
// (GrpcEvaluationDirectory) and by fakes in tests.
class EvaluationDirectory {
 public:
  virtual ~EvaluationDirectory() = default;
  // NOT_FOUND for an unknown cycle; UNAVAILABLE when the registry is down.
  virtual absl::StatusOr<registry::v1::Cycle> GetCycle(const std::string& cycle_id) = 0;
  virtual absl::StatusOr<std::shared_ptr<const RulebookIndex>> GetRulebook(const std::string& version) = 0;
  // `fresh`: the answer decides a refusal, so a cache must not be stale
  // (a window the ministry just moved, an extension just granted). Views
  // that only show what the caller may do take cached answers.
  virtual absl::StatusOr<Window> GetWindow(const std::string& cycle_id, const std::string& region_code,
                                           registry::v1::CyclePhase phase, bool fresh) = 0;
  // NOT_FOUND for an unknown kabupaten/kota (provinces do not submit).
  virtual absl::Status CheckRegency(const std::string& region_code) = 0;
};

}  // namespace kla::submission
