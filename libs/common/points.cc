#include "libs/common/points.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kla {

std::string FormatPoints(int64_t hundredths, bool indonesian) {
  const bool negative = hundredths < 0;
  const uint64_t abs = negative ? static_cast<uint64_t>(-(hundredths + 1)) + 1 : static_cast<uint64_t>(hundredths);
  const std::string whole = absl::StrCat(abs / 100);
  const char group = indonesian ? '.' : ',';
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += group;
    grouped += whole[i];
  }
  return absl::StrCat(negative ? "-" : "", grouped, indonesian ? "," : ".", absl::StrFormat("%02d", abs % 100));
}

}  // namespace kla
