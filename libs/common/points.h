#pragma once

#include <cstdint>
#include <string>

namespace kla {

// Formats exact points (hundredths) for people: Indonesian "742,50" (comma
// decimal, dot thousands: "1.000,00") or English "742.50" ("1,000.00").
std::string FormatPoints(int64_t hundredths, bool indonesian = true);

}  // namespace kla
