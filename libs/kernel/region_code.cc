#include "libs/kernel/region_code.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"

namespace kla {
namespace {

bool TwoDigits(absl::string_view s) {
  return s.size() == 2 && absl::ascii_isdigit(static_cast<unsigned char>(s[0])) &&
         absl::ascii_isdigit(static_cast<unsigned char>(s[1]));
}

// The code as quoted back in a message: bounded, so a megabyte of input
// does not come back in the error.
std::string Shown(absl::string_view code) {
  std::string shown(code.substr(0, 16));
  if (code.size() > 16) shown += "...";
  return shown;
}

}  // namespace

bool IsProvinceCode(absl::string_view code) { return TwoDigits(code) && code >= "11"; }

bool IsRegencyCode(absl::string_view code) {
  return code.size() == 5 && code[2] == '.' && IsProvinceCode(code.substr(0, 2)) && TwoDigits(code.substr(3, 2));
}

bool IsRegionCode(absl::string_view code) { return IsProvinceCode(code) || IsRegencyCode(code); }

std::string ProvinceOf(absl::string_view code) {
  return IsRegionCode(code) ? std::string(code.substr(0, 2)) : std::string();
}

absl::Status ValidateRegionCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) return InvalidField(field, "required: a Kemendagri code such as \"35\" or \"35.72\"");
  if (!IsRegionCode(code)) {
    return InvalidField(field, absl::StrCat("\"", Shown(code),
                                            "\" is not a Kemendagri code: expected two digits for a province "
                                            "(\"35\") or NN.NN for a kabupaten/kota (\"35.72\")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRegencyCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) return InvalidField(field, "required: a kabupaten/kota code such as \"35.72\"");
  if (!IsRegencyCode(code)) {
    return InvalidField(field, absl::StrCat("\"", Shown(code), "\" is not a kabupaten/kota code like 35.72"));
  }
  return absl::OkStatus();
}

absl::Status ValidateProvinceCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) return InvalidField(field, "required: a province code such as \"35\"");
  if (!IsProvinceCode(code)) {
    return InvalidField(field, absl::StrCat("\"", Shown(code), "\" is not a province code like 35"));
  }
  return absl::OkStatus();
}

}  // namespace kla
