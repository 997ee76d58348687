#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/registry/v1/cycle.pb.h"
#include "libs/common/clock.h"
#include "libs/outbox/outgoing_event.h"
#include "services/registry/domain/region_store.h"
#include "services/registry/domain/rulebook_library.h"

namespace kla::registry {

// A cycle with its optimistic-concurrency version (the etag is "v<version>").
struct StoredCycle {
  v1::Cycle cycle;
  int64_t version = 0;
};

class CycleStore {
 public:
  virtual ~CycleStore() = default;
  // ALREADY_EXISTS when the id is taken.
  virtual absl::Status Create(const v1::Cycle& cycle, absl::Time now) = 0;
  virtual absl::StatusOr<std::optional<StoredCycle>> Get(absl::string_view id) = 0;
  // Replaces the cycle if its stored version is still `expected_version`
  // (ABORTED otherwise), records `transition` if given and enqueues
  // `events`, atomically.
  virtual absl::Status Update(const v1::Cycle& cycle, int64_t expected_version,
                              const std::optional<v1::CycleTransition>& transition,
                              const std::vector<outbox::OutgoingEvent>& events) = 0;
  virtual absl::StatusOr<std::vector<StoredCycle>> List(absl::string_view after_id, int limit) = 0;
  virtual absl::StatusOr<std::vector<v1::CycleTransition>> Transitions(absl::string_view id) = 0;
  // Stores `extension` under `request_id` unless that id is taken; returns
  // the extension stored under it (the earlier one on a retry).
  virtual absl::StatusOr<v1::RegionExtension> AddExtension(const v1::RegionExtension& extension,
                                                           absl::string_view request_id) = 0;
  // Extensions of a cycle, optionally of one region, newest first.
  virtual absl::StatusOr<std::vector<v1::RegionExtension>> Extensions(absl::string_view cycle_id,
                                                                      absl::string_view region_code) = 0;
};

// A phase window as it applies to one region.
struct RegionWindow {
  absl::Time open_time;
  absl::Time close_time;  // with the region's latest extension, if any
  std::optional<v1::RegionExtension> extension;
};

struct CyclePage {
  std::vector<v1::Cycle> cycles;
  std::string next_page_token;
};

// The evaluation-cycle use cases and the cycle state machine. Time comes
// from the injected clock.
class CycleManager {
 public:
  CycleManager(CycleStore* cycles, RulebookStore* rulebooks, RegionStore* regions, const Clock* clock)
      : cycles_(cycles), rulebooks_(rulebooks), regions_(regions), clock_(clock) {}

  // Creates a PLANNED cycle. Creating the same id again with the same
  // content returns the stored cycle (safe retries); other content:
  // ALREADY_EXISTS.
  absl::StatusOr<v1::Cycle> Create(const v1::Cycle& cycle);
  absl::StatusOr<v1::Cycle> Get(absl::string_view id);
  absl::StatusOr<CyclePage> List(int page_size, absl::string_view page_token);
  // Updates the fields named in `paths` ("name", "windows",
  // "announcement_time", "rulebook_version"); `cycle.etag` must be current.
  absl::StatusOr<v1::Cycle> Update(const v1::Cycle& cycle, const std::vector<std::string>& paths);
  // Moves the cycle one state forward, if its time has come.
  absl::StatusOr<v1::Cycle> Advance(absl::string_view id, absl::string_view etag, absl::string_view actor);
  absl::StatusOr<std::vector<v1::CycleTransition>> History(absl::string_view id);

  // A retry with the same request_id returns the extension granted first;
  // the id with another extension is INVALID_ARGUMENT (REQUEST_ID_REUSED).
  absl::StatusOr<v1::RegionExtension> GrantExtension(const v1::RegionExtension& request, absl::string_view request_id,
                                                     absl::string_view actor);
  absl::StatusOr<std::vector<v1::RegionExtension>> Extensions(absl::string_view cycle_id,
                                                              absl::string_view region_code);
  absl::StatusOr<RegionWindow> WindowFor(absl::string_view cycle_id, absl::string_view region_code,
                                         v1::CyclePhase phase);

 private:
  absl::StatusOr<StoredCycle> Load(absl::string_view id);
  absl::Status Validate(const v1::Cycle& cycle);
  absl::Status CheckCorrectionOf(const std::string& in_force, const std::string& correction);
  CycleStore* cycles_;
  RulebookStore* rulebooks_;
  RegionStore* regions_;
  const Clock* clock_;
};

// The state that follows `state` (UNSPECIFIED after CLOSED).
v1::CycleState NextState(v1::CycleState state);
// The phase a state is in (UNSPECIFIED for PLANNED, PUBLISHED, CLOSED).
v1::CyclePhase PhaseOf(v1::CycleState state);

}  // namespace kla::registry
