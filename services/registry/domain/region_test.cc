#include "services/registry/domain/region.h"

#include <gtest/gtest.h>

#include "libs/common/errors.h"

namespace kla::registry {
namespace {

TEST(RegionCodeTest, Forms) {
  EXPECT_TRUE(IsProvinceCode("35"));
  EXPECT_TRUE(IsRegencyCode("35.72"));
  EXPECT_FALSE(IsProvinceCode("3"));
  EXPECT_FALSE(IsProvinceCode("05"));
  EXPECT_FALSE(IsRegencyCode("35-72"));
  EXPECT_FALSE(IsRegencyCode("35.7"));
  EXPECT_FALSE(IsRegencyCode("35.72.01"));
}

TEST(RegionCodeTest, ValidationNamesTheField) {
  for (const std::string& bad : {std::string(""), std::string("35-72"), std::string(300, '9')}) {
    absl::Status st = ValidateRegionCode("code", bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    ASSERT_EQ(GetFieldViolations(st).size(), 1u);
    EXPECT_EQ(GetFieldViolations(st)[0].field, "code");
    EXPECT_LT(GetFieldViolations(st)[0].description.size(), 200u);  // never echoes 300 characters
  }
  EXPECT_TRUE(ValidateRegionCode("code", "35.72").ok());
}

TEST(RegionNameTest, LevelFromName) {
  EXPECT_EQ(LevelFromName("Kota Blitar"), RegionLevel::kKota);
  EXPECT_EQ(LevelFromName("Kota Administrasi Jakarta Pusat"), RegionLevel::kKota);
  EXPECT_EQ(LevelFromName("KABUPATEN BLITAR"), RegionLevel::kKabupaten);
  EXPECT_EQ(LevelFromName("Kabupaten Administrasi Kepulauan Seribu"), RegionLevel::kKabupaten);
  EXPECT_EQ(LevelFromName("Kotabaru"), RegionLevel::kUnspecified);
}

TEST(RegionNameTest, DisplayNameProperCasesAllCaps) {
  EXPECT_EQ(DisplayName("KOTA BLITAR"), "Kota Blitar");
  EXPECT_EQ(DisplayName("KABUPATEN PANGKAJENE DAN KEPULAUAN"), "Kabupaten Pangkajene dan Kepulauan");
  EXPECT_EQ(DisplayName("KABUPATEN TOLI-TOLI"), "Kabupaten Toli-Toli");
  EXPECT_EQ(DisplayName("KOTA ADM. JAKARTA PUSAT"), "Kota Administrasi Jakarta Pusat");
  EXPECT_EQ(DisplayName("DKI JAKARTA"), "DKI Jakarta");
  EXPECT_EQ(DisplayName(" Kota Blitar "), "Kota Blitar");  // mixed case kept
}

}  // namespace
}  // namespace kla::registry
