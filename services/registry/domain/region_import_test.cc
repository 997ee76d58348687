#include "services/registry/domain/region_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/common/errors.h"
#include "libs/testing/process.h"

namespace kla::registry {
namespace {

using ::testing::HasSubstr;

constexpr char kProvinces[] = "code,name\n35,Jawa Timur\n36,Banten\n";

FieldViolation OnlyViolation(const absl::Status& st) {
  auto v = GetFieldViolations(st);
  EXPECT_EQ(v.size(), 1u) << st;
  return v.empty() ? FieldViolation{} : v[0];
}

TEST(RegionImportTest, ParsesTheOfficialList) {
  auto regions = ParseRegionFiles(testing::SourceFile("data/regions/provinces.csv"),
                                  testing::SourceFile("data/regions/regencies.csv"));
  ASSERT_TRUE(regions.ok()) << regions.status();
  int provinces = 0, kabupaten = 0, kota = 0;
  for (const Region& r : *regions) {
    provinces += r.level == RegionLevel::kProvince;
    kabupaten += r.level == RegionLevel::kKabupaten;
    kota += r.level == RegionLevel::kKota;
  }
  EXPECT_EQ(provinces, 38);
  EXPECT_EQ(kabupaten, 416);
  EXPECT_EQ(kota, 98);
  auto blitar = std::find_if(regions->begin(), regions->end(), [](const Region& r) { return r.code == "35.72"; });
  ASSERT_NE(blitar, regions->end());
  EXPECT_EQ(blitar->name, "Kota Blitar");
  EXPECT_EQ(blitar->province_code, "35");
}

TEST(RegionImportTest, AcceptsQuotesCrlfAndBom) {
  auto regions = ParseRegionFiles(
      "\xEF\xBB\xBF"
      "code,name\r\n35,\"Jawa Timur\"\r\n",
      "name,code,province_code\n\"Kota \"\"Blitar\"\"\",35.72,35\n");
  ASSERT_TRUE(regions.ok()) << regions.status();
  ASSERT_EQ(regions->size(), 2u);
  EXPECT_EQ((*regions)[1].name, "Kota \"Blitar\"");
}

TEST(RegionImportTest, MalformedRowNamesFileAndLine) {
  struct Case {
    std::string regencies;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"code,province_code,name\n35.72,35,Kota Blitar\n35-05,35,Kabupaten Blitar\n", "line 3: \"35-05\" is not"},
      {"code,province_code,name\n35.72,36,Kota Blitar\n", "line 2: code 35.72 does not belong to province 36"},
      {"code,province_code,name\n37.01,37,Kota X\n", "line 2: province 37 is not in provinces.csv"},
      {"code,province_code,name\n35.72,35,Blitar\n", "line 2: name \"Blitar\" starts with neither"},
      {"code,province_code,name\n35.72,35,Kota Blitar\n35.72,35,Kota Blitar\n", "line 3: code 35.72 appears twice"},
      {"code,province_code,name\n35.72,35\n", "line 2: expected 3 fields, found 2"},
      {"code,province_code,name\n35.72,35,\"Kota Blitar\n", "line 2: unclosed quote"},
      {"kode,provinsi,nama\n", "line 1: header must name the columns"},
  };
  for (const Case& c : cases) {
    auto r = ParseRegionFiles(kProvinces, c.regencies);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.regencies;
    FieldViolation v = OnlyViolation(r.status());
    EXPECT_EQ(v.field, "regencies_csv");
    EXPECT_THAT(v.description, HasSubstr(c.want));
  }
  auto r = ParseRegionFiles("code,name\n35,Jawa Timur\n3x,Banten\n", "code,province_code,name\n35.72,35,Kota Blitar\n");
  EXPECT_EQ(OnlyViolation(r.status()).field, "provinces_csv");
  EXPECT_THAT(OnlyViolation(r.status()).description, HasSubstr("line 3"));
  EXPECT_FALSE(ParseRegionFiles("", "").ok());
  EXPECT_FALSE(ParseRegionFiles(kProvinces, std::string("code,province_code,name\n35.72,35,Kota \xff\n")).ok());
}

}  // namespace
}  // namespace kla::registry
