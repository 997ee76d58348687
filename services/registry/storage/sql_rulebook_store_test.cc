#include "services/registry/storage/sql_rulebook_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "services/registry/domain/rulebook.h"
#include "services/registry/storage/migrations.h"

namespace kla::registry {
namespace {

using testing::Engine;
using ::testing::HasSubstr;

class SqlRulebookStoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "registry");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "registry", RegistryMigrations()).ok());
    text_ = testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto");
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::string text_;
};

TEST_P(SqlRulebookStoreTest, UploadIsIdempotentAndVersionsNeverChange) {
  SqlRulebookStore store(db_.get());
  RulebookLibrary lib(&store, &clock_);
  auto first = lib.Upload("r1", {.textproto = text_});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->second);
  EXPECT_EQ(first->first.item_count, 77);

  auto again = lib.Upload("r2", {.textproto = text_});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.sha256, first->first.sha256);

  v1::Rulebook changed = first->first.rulebook;
  changed.set_title("Judul lain");
  auto conflict = lib.Upload("r3", {.rulebook = changed});
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(conflict.status().message(), HasSubstr("new version"));

  changed.set_version("2023.2-ilustratif");
  ASSERT_TRUE(lib.Upload("r4", {.rulebook = changed}).ok());

  auto got = lib.Get("2023.1-ilustratif");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rulebook.indicators_size(), 24);
  EXPECT_EQ(lib.Get("1999").status().code(), absl::StatusCode::kNotFound);

  auto page = lib.List(1, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rulebooks.size(), 1u);
  EXPECT_EQ(page->rulebooks[0].rulebook.version(), "2023.1-ilustratif");
  auto page2 = lib.List(1, page->next_page_token);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->rulebooks[0].rulebook.version(), "2023.2-ilustratif");
  EXPECT_TRUE(page2->next_page_token.empty());
}

TEST_P(SqlRulebookStoreTest, InvalidRulebookIsRefusedWithEveryViolation) {
  SqlRulebookStore store(db_.get());
  RulebookLibrary lib(&store, &clock_);
  auto rb = ParseRulebookText(text_);
  ASSERT_TRUE(rb.ok());
  rb->mutable_indicators(0)->mutable_items(0)->set_weight(0);
  rb->mutable_bands(0)->set_predicate(type::v1::PREDICATE_NONE);
  auto r = lib.Upload("x", {.rulebook = *rb});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status()).size(), 2u);
  EXPECT_EQ(lib.List(0, "")->rulebooks.size(), 0u);
  EXPECT_EQ(lib.Upload("", {.textproto = text_}).status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlRulebookStoreTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
