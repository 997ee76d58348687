#include "libs/kernel/region_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/common/errors.h"

namespace kla {
namespace {

TEST(RegionCodeTest, KnowsBothForms) {
  EXPECT_TRUE(IsProvinceCode("11"));
  EXPECT_TRUE(IsProvinceCode("35"));
  EXPECT_FALSE(IsProvinceCode("10"));  // below Aceh
  EXPECT_FALSE(IsProvinceCode("00"));
  EXPECT_FALSE(IsProvinceCode("3"));
  EXPECT_FALSE(IsProvinceCode("35.72"));
  EXPECT_TRUE(IsRegencyCode("35.72"));
  EXPECT_FALSE(IsRegencyCode("00.01"));  // every service refuses it alike
  EXPECT_FALSE(IsRegencyCode("35-72"));
  EXPECT_FALSE(IsRegencyCode("35.7"));
  EXPECT_FALSE(IsRegencyCode("35.72.01"));  // a kecamatan is not a kabupaten/kota
  EXPECT_TRUE(IsRegionCode("35"));
  EXPECT_TRUE(IsRegionCode("35.72"));
  EXPECT_FALSE(IsRegionCode(""));
}

TEST(RegionCodeTest, ProvinceOfACode) {
  EXPECT_EQ(ProvinceOf("35.72"), "35");
  EXPECT_EQ(ProvinceOf("35"), "35");
  EXPECT_EQ(ProvinceOf("x5.72"), "");
  EXPECT_EQ(ProvinceOf(""), "");
}

TEST(RegionCodeTest, RefusalsNameTheFieldAndBoundTheEcho) {
  EXPECT_TRUE(ValidateRegionCode("region_code", "35").ok());
  EXPECT_TRUE(ValidateRegencyCode("region_code", "35.72").ok());
  EXPECT_TRUE(ValidateProvinceCode("province_code", "35").ok());
  const absl::Status s = ValidateRegencyCode("region_code", "35");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(GetFieldViolations(s).size(), 1U);
  EXPECT_EQ(GetFieldViolations(s)[0].field, "region_code");
  EXPECT_EQ(ValidateProvinceCode("province_code", "35.72").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRegionCode("region_code", "").code(), absl::StatusCode::kInvalidArgument);
  const absl::Status long_code = ValidateRegionCode("region_code", std::string(1000, '9'));
  EXPECT_LT(long_code.ToString().size(), 400U);
}

}  // namespace
}  // namespace kla
