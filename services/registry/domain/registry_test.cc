#include "services/registry/domain/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/match.h"
#include "libs/common/errors.h"
#include "libs/common/text.h"

namespace kla::registry {
namespace {

using ::testing::ElementsAre;

// In-memory RegionStore: enough behaviour to test the domain's paging and
// validation without a database.
class FakeRegionStore final : public RegionStore {
 public:
  absl::StatusOr<std::optional<Region>> Get(absl::string_view code) override {
    auto it = regions_.find(std::string(code));
    if (it == regions_.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<std::vector<Region>> List(const RegionFilter& f, absl::string_view after, int limit) override {
    std::vector<Region> out;
    for (const auto& [code, r] : regions_) {
      if (code <= after || !Matches(f, r)) continue;
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(r);
    }
    return out;
  }
  absl::StatusOr<int> Count(const RegionFilter& f) override {
    int n = 0;
    for (const auto& [code, r] : regions_) n += Matches(f, r);
    return n;
  }
  absl::StatusOr<ImportOutcome> Import(absl::string_view, const std::vector<Region>& regions, bool dry) override {
    ImportOutcome o;
    for (const Region& r : regions) {
      ++o.created;
      if (!dry) regions_[r.code] = r;
    }
    return o;
  }

 private:
  static bool Matches(const RegionFilter& f, const Region& r) {
    if (!f.province_code.empty() && r.province_code != f.province_code) return false;
    if (!f.levels.empty() && std::find(f.levels.begin(), f.levels.end(), r.level) == f.levels.end()) return false;
    return absl::StrContains(FoldForSearch(r.name), f.name_contains_folded);
  }
  std::map<std::string, Region> regions_;
};

class RegionDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ImportRegions({.request_id = "r1",
                                    .provinces_csv = "code,name\n35,Jawa Timur\n36,Banten\n",
                                    .regencies_csv = "code,province_code,name\n35.05,35,Kabupaten Blitar\n"
                                                     "35.72,35,Kota Blitar\n35.73,35,Kota Malang\n"
                                                     "36.71,36,Kota Tangerang\n"})
                    .ok());
  }
  FakeRegionStore store_;
  RegionDirectory dir_{&store_};
};

std::vector<std::string> Codes(const RegionPage& p) {
  std::vector<std::string> out;
  for (const auto& r : p.regions) out.push_back(r.code);
  return out;
}

TEST_F(RegionDirectoryTest, GetByCode) {
  auto r = dir_.GetRegion("35.72");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "Kota Blitar");
  auto missing = dir_.GetRegion("99.99");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "region 99.99 not found");
  EXPECT_EQ(dir_.GetRegion("35-72").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RegionDirectoryTest, ListPagesThroughAProvince) {
  auto p1 = dir_.ListRegions({.province_code = "35", .page_size = 2});
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_THAT(Codes(*p1), ElementsAre("35.05", "35.72"));
  EXPECT_EQ(p1->total_size, 3);
  ASSERT_FALSE(p1->next_page_token.empty());
  auto p2 = dir_.ListRegions({.province_code = "35", .page_size = 2, .page_token = p1->next_page_token});
  ASSERT_TRUE(p2.ok());
  EXPECT_THAT(Codes(*p2), ElementsAre("35.73"));
  EXPECT_TRUE(p2->next_page_token.empty());
}

TEST_F(RegionDirectoryTest, ListRefusesTokenFromAnotherFilter) {
  auto p1 = dir_.ListRegions({.province_code = "35", .page_size = 1});
  ASSERT_TRUE(p1.ok());
  auto other = dir_.ListRegions({.province_code = "36", .page_token = p1->next_page_token});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RegionDirectoryTest, ListValidatesEveryField) {
  auto r = dir_.ListRegions({.province_code = "3x", .page_size = -1});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status()).size(), 2u);
  EXPECT_EQ(dir_.ListRegions({.province_code = "99"}).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegionDirectoryTest, ListProvinces) {
  auto r = dir_.ListRegions({.level = RegionLevel::kProvince});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Codes(*r), ElementsAre("35", "36"));
}

TEST_F(RegionDirectoryTest, SearchIsCaseAndAccentInsensitive) {
  auto r = dir_.SearchRegions({.query = "BLÏTAR"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Codes(*r), ElementsAre("35.05", "35.72"));
  EXPECT_EQ(dir_.SearchRegions({.query = "  "}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dir_.SearchRegions({.query = std::string(101, 'a')}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RegionDirectoryTest, ImportNeedsRequestId) {
  auto r = dir_.ImportRegions({.provinces_csv = "code,name\n35,Jawa Timur\n",
                               .regencies_csv = "code,province_code,name\n35.72,35,Kota Blitar\n"});
  EXPECT_EQ(GetFieldViolations(r.status()).at(0).field, "request_id");
}

}  // namespace
}  // namespace kla::registry
