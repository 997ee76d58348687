#include "services/registry/domain/region.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"

namespace kla::registry {
namespace {

std::string CapitalizeWord(absl::string_view word) {
  if (word == "DKI" || word == "DI") return std::string(word);
  std::string lower = absl::AsciiStrToLower(word);
  if (lower == "dan") return lower;
  if (lower == "adm." || lower == "adm") return "Administrasi";
  std::vector<std::string> parts = absl::StrSplit(lower, '-');
  for (auto& p : parts) {
    if (!p.empty()) p[0] = absl::ascii_toupper(static_cast<unsigned char>(p[0]));
  }
  return absl::StrJoin(parts, "-");
}

}  // namespace

RegionLevel LevelFromName(absl::string_view name) {
  if (absl::StartsWithIgnoreCase(name, "Kota ")) return RegionLevel::kKota;
  if (absl::StartsWithIgnoreCase(name, "Kabupaten ")) return RegionLevel::kKabupaten;
  return RegionLevel::kUnspecified;
}

std::string DisplayName(absl::string_view name) {
  std::string trimmed(absl::StripAsciiWhitespace(name));
  bool has_lower = false;
  for (char c : trimmed) has_lower |= absl::ascii_islower(static_cast<unsigned char>(c));
  if (has_lower) return trimmed;
  std::vector<std::string> words;
  for (absl::string_view w : absl::StrSplit(trimmed, ' ', absl::SkipEmpty())) words.push_back(CapitalizeWord(w));
  return absl::StrJoin(words, " ");
}

}  // namespace kla::registry
