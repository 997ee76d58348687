#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/cycle.pb.h"
#include "kla/registry/v1/rulebook.pb.h"

namespace kla::testing {

// When phase i (0 = self-evaluation ... 5 = final verification) opens and
// closes.
using PhaseWindows = std::function<std::pair<absl::Time, absl::Time>(int phase)>;

// For tests and benchmarks against a running suite: uploads the
// illustrative rulebook (rulebooks/kla-2023-ilustratif.textproto) as a
// national admin (`admin_token`) and creates cycle `id` on it (PLANNED),
// then advances it `advance` times. Errors name the call that failed.
struct DefaultCycle {
  registry::v1::Rulebook rulebook;
  registry::v1::Cycle cycle;
};
absl::StatusOr<DefaultCycle> CreateCycleOnDefaultRulebook(const std::shared_ptr<grpc::Channel>& channel,
                                                          const std::string& admin_token, const std::string& id,
                                                          const PhaseWindows& windows, absl::Time announcement,
                                                          int advance = 0);

}  // namespace kla::testing
