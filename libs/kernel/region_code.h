#pragma once

// Kemendagri region codes, the identifier every service and every other
// agency's system keys regions on: "35" for a province, "35.72" for a
// kabupaten/kota. Checked here and nowhere else.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kla {

// "35": two digits, 11..99 (Aceh, the first province, is 11).
bool IsProvinceCode(absl::string_view code);
// "35.72": a province code, a dot, two digits.
bool IsRegencyCode(absl::string_view code);
// Either form.
bool IsRegionCode(absl::string_view code);

// The province of a region code: "35" for "35.72" and for "35"; "" when
// `code` is not a region code.
std::string ProvinceOf(absl::string_view code);

// INVALID_ARGUMENT with a violation of request field `field` unless `code`
// is a region code (either form) / a kabupaten/kota code / a province code.
absl::Status ValidateRegionCode(absl::string_view field, absl::string_view code);
absl::Status ValidateRegencyCode(absl::string_view field, absl::string_view code);
absl::Status ValidateProvinceCode(absl::string_view field, absl::string_view code);

}  // namespace kla
