// One suite, both engines: every test runs on SQLite and on a throwaway
// PostgreSQL started by the harness.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "libs/storage/database.h"
#include "libs/storage/migrations.h"
#include "libs/storage/postgres_database.h"
#include "libs/testing/engines.h"
#include "libs/testing/postgres_harness.h"
#include "libs/testing/process.h"

namespace kla::storage {
namespace {

using ::testing::HasSubstr;

using testing::Engine;

class StorageTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "test");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

const std::vector<Migration> kMigrations = {
    {1, "items", "CREATE TABLE t_items (id SERIAL_PK, name TEXT NOT NULL UNIQUE, n BIGINT, data BYTEA);"},
    {2, "counters",
     "CREATE TABLE t_counters (k TEXT PRIMARY KEY, v BIGINT NOT NULL);"
     "INSERT INTO t_counters (k, v) VALUES ('c', 0);"},
};

TEST_P(StorageTest, MigrationsApplyOnceAndAreRecorded) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  EXPECT_EQ(*SchemaVersion(*db_, "svc"), 2);
  EXPECT_EQ(*SchemaVersion(*db_, "other"), 0);
  auto r = db_->Execute("SELECT COUNT(*) FROM kla_schema_migrations WHERE service = ?", {std::string("svc")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows[0].Int(0), 2);
}

TEST_P(StorageTest, OlderBinaryRefusesNewerSchema) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  absl::Status st = ApplyMigrations(*db_, "svc", {kMigrations[0]});
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("version 2, newer than this binary knows (1)"));
}

TEST_P(StorageTest, RenamedMigrationIsRefused) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", {kMigrations[0]}).ok());
  std::vector<Migration> renamed = kMigrations;
  renamed[0].name = "something else";
  EXPECT_EQ(ApplyMigrations(*db_, "svc", renamed).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(StorageTest, FailedMigrationLeavesNothingBehind) {
  std::vector<Migration> bad = kMigrations;
  bad.push_back({3, "broken", "CREATE TABLE t_ok (a BIGINT); THIS IS NOT SQL;"});
  EXPECT_FALSE(ApplyMigrations(*db_, "svc", bad).ok());
  EXPECT_EQ(*SchemaVersion(*db_, "svc"), 0);
  EXPECT_FALSE(db_->Execute("SELECT COUNT(*) FROM t_items").ok());
}

TEST_P(StorageTest, ValuesRoundTrip) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  const std::string binary("\0\x01\xff\x80zero", 8);
  ASSERT_TRUE(db_->Execute("INSERT INTO t_items (name, n, data) VALUES (?, ?, ?)",
                           {std::string("Kota Blitar — ‘35.72’?"), int64_t{-9'000'000'000'000}, Blob(binary)})
                  .ok());
  ASSERT_TRUE(
      db_->Execute("INSERT INTO t_items (name, n, data) VALUES (?, ?, ?)", {std::string("b"), Null(), Null()}).ok());
  auto r = db_->Execute("SELECT id, name, n, data FROM t_items ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].Int(0), 1);
  EXPECT_EQ(r->rows[1].Int(0), 2);
  EXPECT_EQ(r->rows[0].Text(1), "Kota Blitar — ‘35.72’?");
  EXPECT_EQ(r->rows[0].Int(2), -9'000'000'000'000);
  EXPECT_EQ(r->rows[0].Text(3), binary);
  EXPECT_TRUE(r->rows[1].IsNull(2));
  EXPECT_FALSE(r->rows[1].OptInt(2).has_value());
  EXPECT_TRUE(r->rows[1].IsNull(3));
}

TEST_P(StorageTest, QuestionMarkInsideQuotesIsNotAParameter) {
  auto r = db_->Execute("SELECT 'why?', ?", {int64_t{7}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows[0].Text(0), "why?");
}

TEST_P(StorageTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO t_items (name) VALUES (?)", {std::string("x")}).ok());
  auto r = db_->Execute("INSERT INTO t_items (name) VALUES (?)", {std::string("x")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(StorageTest, TransactionRollsBackOnError) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  absl::Status st = db_->InTransaction(TxMode::kWrite, [](Session& s) -> absl::Status {
    auto r = s.Execute("INSERT INTO t_items (name) VALUES (?)", {std::string("gone")});
    if (!r.ok()) return r.status();
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kAborted);
  auto r = db_->Execute("SELECT COUNT(*) FROM t_items");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].Int(0), 0);
}

TEST_P(StorageTest, ConcurrentWriteTransactionsLoseNoUpdate) {
  ASSERT_TRUE(ApplyMigrations(*db_, "svc", kMigrations).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status st = db_->InTransaction(TxMode::kWrite, [](Session& s) -> absl::Status {
          // Read-modify-write: only correct if writers are serialised (row
          // lock on PostgreSQL via FOR UPDATE, write lock on SQLite).
          const bool pg = s.dialect() == Dialect::kPostgres;
          auto r = s.Execute(pg ? "SELECT v FROM t_counters WHERE k = 'c' FOR UPDATE"
                                : "SELECT v FROM t_counters WHERE k = 'c'");
          if (!r.ok()) return r.status();
          return s.Execute("UPDATE t_counters SET v = ? WHERE k = 'c'", {r->rows[0].Int(0) + 1}).status();
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = db_->Execute("SELECT v FROM t_counters WHERE k = 'c'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].Int(0), kThreads * kPerThread);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

TEST(OpenDatabaseTest, UnknownSchemeIsInvalidArgument) {
  auto db = OpenDatabase("mysql://root:secret@localhost/kla");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(db.status().message(), ::testing::Not(HasSubstr("secret")));
}

TEST(OpenDatabaseTest, UnreachablePostgresIsUnavailableAndSaysWhere) {
  const int port = testing::FreePort();
  auto db = OpenDatabase("postgresql://kla:secret@127.0.0.1:" + std::to_string(port) + "/kla",
                         {.connect_timeout = absl::Seconds(2)});
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(db.status().message(), HasSubstr("cannot connect to PostgreSQL at postgresql://kla:***@127.0.0.1"));
  EXPECT_THAT(db.status().message(), ::testing::Not(HasSubstr("secret")));
}

TEST(OpenDatabaseTest, UnwritableSqlitePathIsUnavailable) {
  auto db = OpenDatabase("sqlite:/proc/kla/nope.db");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
}

TEST(PostgresDriverTest, PoolHealsAfterServerRestart) {
  auto harness = testing::PostgresHarness::Start();
  ASSERT_TRUE(harness.ok()) << harness.status();
  auto url = (*harness)->CreateDatabase();
  ASSERT_TRUE(url.ok());
  auto db = OpenDatabase(*url, {.pool_size = 2});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Ping().ok());
  (*harness)->Kill();
  EXPECT_EQ((*db)->Ping().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*harness)->Restart().ok());
  // The broken connection was discarded; the next one is new.
  EXPECT_TRUE((*db)->Ping().ok());
}

TEST(PlaceholderTest, NumbersOutsideQuotes) {
  EXPECT_EQ(NumberPlaceholders("SELECT ?, '?', \"a?\", ?"), "SELECT $1, '?', \"a?\", $2");
}

TEST(RedactUrlTest, HidesPassword) {
  EXPECT_EQ(RedactUrl("postgresql://u:p@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("sqlite:var/x.db"), "sqlite:var/x.db");
}

}  // namespace
}  // namespace kla::storage
