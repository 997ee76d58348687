#include "libs/common/points.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
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

bool ParseHundredths(absl::string_view text, int64_t* out) {
  std::string t = absl::StrReplaceAll(absl::StripAsciiWhitespace(text), {{",", "."}});
  const bool negative = !t.empty() && t[0] == '-';
  if (negative) t = t.substr(1);
  const size_t dot = t.find('.');
  const std::string whole = t.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : t.substr(dot + 1);
  int64_t w = 0;
  int64_t f = 0;
  if (whole.empty() || whole.size() > 12 || !absl::SimpleAtoi(whole, &w) || frac.size() > 2 ||
      (!frac.empty() && !absl::SimpleAtoi(frac, &f)) || w < 0 || f < 0 || whole[0] == '+' ||
      (!frac.empty() && (frac[0] == '+' || frac[0] == '-'))) {
    return false;
  }
  if (frac.size() == 1) f *= 10;
  *out = (negative ? -1 : 1) * (w * 100 + f);
  return true;
}

}  // namespace kla
