#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/kernel/region_code.h"

namespace kla::registry {

// Mirrors kla.type.v1.RegionLevel (same numbers).
enum class RegionLevel { kUnspecified = 0, kProvince = 1, kKabupaten = 2, kKota = 3 };

// A province or kabupaten/kota from the official Kemendagri list.
struct Region {
  std::string code;  // "35" or "35.72"
  std::string name;  // "Kota Blitar"
  RegionLevel level = RegionLevel::kUnspecified;
  std::string province_code;  // for a province, its own code
  // Filled by reads, not stored:
  std::string province_name;
  int32_t regency_count = 0;

  bool SameStoredFields(const Region& o) const {
    return code == o.code && name == o.name && level == o.level && province_code == o.province_code;
  }
};

// Kabupaten or kota from the official name: "Kota ..." and "Kota
// Administrasi ..." are kota, "Kabupaten ..." (incl. Kabupaten Administrasi
// Kepulauan Seribu) kabupaten. Unspecified when the name has neither prefix.
RegionLevel LevelFromName(absl::string_view name);

// Display form of an official name: names already in mixed case are kept;
// ALL-CAPS names (older releases of the list) are put in proper case, with
// "dan" lower case, "DKI"/"DI" kept and "ADM." spelled "Administrasi".
std::string DisplayName(absl::string_view name);

}  // namespace kla::registry
