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

bool TwoDigits(absl::string_view s) {
  return s.size() == 2 && absl::ascii_isdigit(static_cast<unsigned char>(s[0])) &&
         absl::ascii_isdigit(static_cast<unsigned char>(s[1]));
}

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

bool IsProvinceCode(absl::string_view code) { return TwoDigits(code) && code >= "11"; }

bool IsRegencyCode(absl::string_view code) {
  return code.size() == 5 && code[2] == '.' && IsProvinceCode(code.substr(0, 2)) && TwoDigits(code.substr(3, 2));
}

absl::Status ValidateRegionCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) return InvalidField(field, "required: a Kemendagri code such as \"35\" or \"35.72\"");
  if (!IsProvinceCode(code) && !IsRegencyCode(code)) {
    std::string shown(code.substr(0, 16));
    if (code.size() > 16) shown += "...";
    return InvalidField(field, absl::StrCat("\"", shown,
                                            "\" is not a Kemendagri code: expected two digits for a province "
                                            "(\"35\") or NN.NN for a kabupaten/kota (\"35.72\")"));
  }
  return absl::OkStatus();
}

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
