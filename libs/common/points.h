#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace kla {

// Formats exact points (hundredths) for people: Indonesian "742,50" (comma
// decimal, dot thousands: "1.000,00") or English "742.50" ("1,000.00").
std::string FormatPoints(int64_t hundredths, bool indonesian = true);

// Reads a number typed by people into hundredths: "742,50", "742.5", "87",
// "-3,25" (Indonesian decimal comma or a point; at most two decimals; no
// thousands separators). False when it is not such a number.
bool ParseHundredths(absl::string_view text, int64_t* out);

}  // namespace kla
