#pragma once

// When a phase of a cycle opens and closes for one kabupaten/kota: the
// registry answers it (GetRegionWindow) and the submission service decides
// with it (every save and transition). One pure function over the public
// protos, so both read the same rule.

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kla/registry/v1/cycle.pb.h"

namespace kla::registry {

struct RegionPhaseWindow {
  absl::Time open;
  absl::Time close;  // with the region's newest extension of the phase, if any
  std::optional<v1::RegionExtension> extension;
};

// The window of `phase` in `cycle` for `region_code`: the cycle's, its close
// moved by the newest extension granted to the region for that phase
// (`extensions` newest first, of any regions and phases). nullopt when the
// cycle has no window for the phase.
std::optional<RegionPhaseWindow> WindowOfRegion(const v1::Cycle& cycle,
                                                const std::vector<v1::RegionExtension>& extensions,
                                                absl::string_view region_code, v1::CyclePhase phase);

}  // namespace kla::registry
