#include "services/registry/rules/window.h"

#include "libs/kernel/time.h"

namespace kla::registry {

std::optional<RegionPhaseWindow> WindowOfRegion(const v1::Cycle& cycle,
                                                const std::vector<v1::RegionExtension>& extensions,
                                                absl::string_view region_code, v1::CyclePhase phase) {
  for (const auto& w : cycle.windows()) {
    if (w.phase() != phase) continue;
    RegionPhaseWindow out{.open = FromProtoTime(w.open_time()), .close = FromProtoTime(w.close_time())};
    for (const auto& e : extensions) {  // newest first: the latest grant wins
      if (e.region_code() == region_code && e.phase() == phase) {
        out.close = FromProtoTime(e.close_time());
        out.extension = e;
        break;
      }
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace kla::registry
