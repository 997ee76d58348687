#include "services/registry/storage/sql_region_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "libs/testing/process.h"
#include "services/registry/domain/region_import.h"
#include "services/registry/domain/registry.h"
#include "services/registry/storage/migrations.h"

namespace kla::registry {
namespace {

using ::testing::ElementsAre;

using testing::Engine;

class SqlRegionStoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "registry");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "registry", RegistryMigrations()).ok());
    store_ = std::make_unique<SqlRegionStore>(db_.get(), &clock_);
    directory_ = std::make_unique<RegionDirectory>(store_.get());
  }

  absl::StatusOr<ImportOutcome> ImportOfficial(const std::string& request_id) {
    return directory_->ImportRegions({.request_id = request_id,
                                      .provinces_csv = testing::SourceFile("data/regions/provinces.csv"),
                                      .regencies_csv = testing::SourceFile("data/regions/regencies.csv")});
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlRegionStore> store_;
  std::unique_ptr<RegionDirectory> directory_;
};

TEST_P(SqlRegionStoreTest, ImportsTheOfficialListIdempotently) {
  auto first = ImportOfficial("a");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->created, 38 + 514);
  EXPECT_EQ(first->province_count, 38);
  EXPECT_EQ(first->regency_count, 514);

  // Same request id: the recorded answer, nothing imported again.
  auto retry = ImportOfficial("a");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->created, 38 + 514);

  // New request, same files: nothing changes.
  auto again = ImportOfficial("b");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 38 + 514);
  EXPECT_TRUE(again->missing_codes.empty());
}

TEST_P(SqlRegionStoreTest, MalformedFileCommitsNothing) {
  std::string regencies = testing::SourceFile("data/regions/regencies.csv");
  regencies += "35.99,35,Blitar Raya\n";  // no Kabupaten/Kota prefix
  auto r = directory_->ImportRegions({.request_id = "x",
                                      .provinces_csv = testing::SourceFile("data/regions/provinces.csv"),
                                      .regencies_csv = regencies});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->Count({}), 0);
}

TEST_P(SqlRegionStoreTest, ReportsChangesAndMissingRegions) {
  ASSERT_TRUE(ImportOfficial("a").ok());
  auto r = directory_->ImportRegions({.request_id = "b",
                                      .provinces_csv = "code,name\n35,Jawa Timur\n",
                                      .regencies_csv = "code,province_code,name\n35.72,35,Kota Blitar Baru\n"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->updated, 1);
  EXPECT_EQ(r->unchanged, 1);
  EXPECT_EQ(r->missing_codes.size(), 38u + 514u - 2u);
  EXPECT_EQ(directory_->GetRegion("35.72")->name, "Kota Blitar Baru");
}

TEST_P(SqlRegionStoreTest, ValidateOnlyStoresNothing) {
  auto r = directory_->ImportRegions({.request_id = "v",
                                      .provinces_csv = testing::SourceFile("data/regions/provinces.csv"),
                                      .regencies_csv = testing::SourceFile("data/regions/regencies.csv"),
                                      .validate_only = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created, 552);
  EXPECT_EQ(*store_->Count({}), 0);
}

TEST_P(SqlRegionStoreTest, GetListAndSearch) {
  ASSERT_TRUE(ImportOfficial("a").ok());
  auto blitar = directory_->GetRegion("35.72");
  ASSERT_TRUE(blitar.ok());
  EXPECT_EQ(blitar->name, "Kota Blitar");
  EXPECT_EQ(blitar->level, RegionLevel::kKota);
  EXPECT_EQ(blitar->province_name, "Jawa Timur");
  auto jatim = directory_->GetRegion("35");
  ASSERT_TRUE(jatim.ok());
  EXPECT_EQ(jatim->regency_count, 38);

  auto page = directory_->ListRegions({.province_code = "35", .page_size = 100});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_size, 38);
  EXPECT_EQ(page->regions.size(), 38u);
  EXPECT_TRUE(page->next_page_token.empty());

  // Walk all 514 in pages of 50: every region once, in code order.
  std::vector<std::string> all;
  std::string token;
  do {
    auto p = directory_->ListRegions({.page_size = 50, .page_token = token});
    ASSERT_TRUE(p.ok()) << p.status();
    for (const auto& r : p->regions) all.push_back(r.code);
    token = p->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(all.size(), 514u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));

  auto found = directory_->SearchRegions({.query = "blitar"});
  ASSERT_TRUE(found.ok());
  std::vector<std::string> names;
  for (const auto& r : found->regions) names.push_back(r.name);
  EXPECT_THAT(names, ElementsAre("Kabupaten Blitar", "Kota Blitar"));
  auto pct = directory_->SearchRegions({.query = "%"});
  ASSERT_TRUE(pct.ok());
  EXPECT_EQ(pct->total_size, 0);  // LIKE wildcards are literal
  auto toli = directory_->SearchRegions({.query = "toli toli"});
  ASSERT_TRUE(toli.ok());
  EXPECT_EQ(toli->total_size, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlRegionStoreTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
