#include "services/registry/rules/window.h"

#include <gtest/gtest.h>

#include "libs/kernel/time.h"

namespace kla::registry {
namespace {

v1::RegionExtension Extension(const char* region, v1::CyclePhase phase, absl::Time close) {
  v1::RegionExtension e;
  e.set_region_code(region);
  e.set_phase(phase);
  *e.mutable_close_time() = ToProtoTime(close);
  return e;
}

TEST(WindowOfRegionTest, TheNewestExtensionOfTheRegionAndPhaseMovesTheClose) {
  const absl::Time open = absl::FromUnixSeconds(1740000000);
  const absl::Time close = open + absl::Hours(24 * 30);
  v1::Cycle cycle;
  auto* w = cycle.add_windows();
  w->set_phase(v1::CYCLE_PHASE_SELF_EVALUATION);
  *w->mutable_open_time() = ToProtoTime(open);
  *w->mutable_close_time() = ToProtoTime(close);

  auto plain = WindowOfRegion(cycle, {}, "35.72", v1::CYCLE_PHASE_SELF_EVALUATION);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->open, open);
  EXPECT_EQ(plain->close, close);
  EXPECT_FALSE(plain->extension.has_value());

  const std::vector<v1::RegionExtension> newest_first = {
      Extension("35.05", v1::CYCLE_PHASE_SELF_EVALUATION, close + absl::Hours(96)),          // another region
      Extension("35.72", v1::CYCLE_PHASE_PROVINCIAL_VERIFICATION, close + absl::Hours(72)),  // another phase
      Extension("35.72", v1::CYCLE_PHASE_SELF_EVALUATION, close + absl::Hours(48)),          // the newest
      Extension("35.72", v1::CYCLE_PHASE_SELF_EVALUATION, close + absl::Hours(24)),
  };
  auto extended = WindowOfRegion(cycle, newest_first, "35.72", v1::CYCLE_PHASE_SELF_EVALUATION);
  ASSERT_TRUE(extended.has_value());
  EXPECT_EQ(extended->close, close + absl::Hours(48));
  ASSERT_TRUE(extended->extension.has_value());

  EXPECT_FALSE(WindowOfRegion(cycle, newest_first, "35.72", v1::CYCLE_PHASE_CENTRAL_REVIEW).has_value());
}

}  // namespace
}  // namespace kla::registry
