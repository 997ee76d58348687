#pragma once

// Shared set-up of the registry's storage tests: a fresh database of the
// engine under test, migrated, with Jawa Timur, Kabupaten Blitar and Kota
// Blitar imported.

#include <gtest/gtest.h>

#include <memory>

#include "libs/common/clock.h"
#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "services/registry/domain/registry.h"
#include "services/registry/storage/migrations.h"
#include "services/registry/storage/sql_region_store.h"

namespace kla::registry {

class RegistryStorageTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "registry");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "registry", RegistryMigrations()).ok());
    regions_ = std::make_unique<SqlRegionStore>(db_.get(), &clock_);
    RegionDirectory dir(regions_.get());
    ASSERT_TRUE(dir.ImportRegions({.request_id = "fixture",
                                   .provinces_csv = "code,name\n35,Jawa Timur\n",
                                   .regencies_csv = "code,province_code,name\n35.05,35,Kabupaten Blitar\n"
                                                    "35.72,35,Kota Blitar\n"})
                    .ok());
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlRegionStore> regions_;
};

}  // namespace kla::registry
