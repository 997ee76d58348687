#include "libs/storage/sqlite_database.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/storage/connection_pool.h"

namespace kla::storage {
namespace {

absl::Status ClassifySqlite(sqlite3* db, int rc, absl::string_view what) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = absl::StrCat(what, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(msg);
      }
      return absl::FailedPreconditionError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return absl::UnavailableError(msg);
    case SQLITE_FULL:  // the disk: retryable once an operator frees space
      return WithRetryAfter(absl::UnavailableError(msg), absl::Seconds(30));
    default:
      return absl::InternalError(msg);
  }
}

// SQLite's words name files and SQL: callers see only the code.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  return Concealed(ClassifySqlite(db, rc, what));
}

class SqliteConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* db() const { return db_; }

  // Prepared statements are cached per connection: the same few statements
  // run over and over.
  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    if (cache_.size() > 256) {
      for (auto& [s, st] : cache_) sqlite3_finalize(st);
      cache_.clear();
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

 private:
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(SqliteConnection* conn) : conn_(conn) {}
  Dialect dialect() const override { return Dialect::kSqlite; }

  using Session::Execute;
  absl::StatusOr<Result> Execute(absl::string_view sql, const std::vector<Value>& params) override {
    auto stmt_or = conn_->Prepare(sql);
    if (!stmt_or.ok()) return stmt_or.status();
    sqlite3_stmt* stmt = *stmt_or;
    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      return absl::InternalError(
          absl::StrCat("statement expects ", sqlite3_bind_parameter_count(stmt), " parameters, got ", params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              return sqlite3_bind_null(stmt, idx);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, idx, v);
            } else if constexpr (std::is_same_v<T, std::string>) {
              return sqlite3_bind_text64(stmt, idx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            } else {
              return sqlite3_bind_blob64(stmt, idx, v.data.data(), v.data.size(), SQLITE_TRANSIENT);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return SqliteError(conn_->db(), rc, "bind");
    }
    Result result;
    const int cols = sqlite3_column_count(stmt);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        absl::Status err = SqliteError(conn_->db(), rc, "step");
        sqlite3_reset(stmt);
        return err;
      }
      std::vector<Value> values;
      values.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            values.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(stmt, c);
            const int n = sqlite3_column_bytes(stmt, c);
            values.emplace_back(Bytes{std::string(static_cast<const char*>(p), static_cast<size_t>(n))});
            break;
          }
          default: {
            const unsigned char* p = sqlite3_column_text(stmt, c);
            const int n = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)));
          }
        }
      }
      result.rows.emplace_back(std::move(values));
    }
    result.affected_rows = sqlite3_changes64(conn_->db());
    sqlite3_reset(stmt);
    return result;
  }

  absl::Status ExecuteScript(absl::string_view sql) override {
    char* err = nullptr;
    std::string copy(sql);
    int rc = sqlite3_exec(conn_->db(), copy.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return SqliteError(nullptr, rc, absl::StrCat("script: ", msg));
    }
    return absl::OkStatus();
  }

 private:
  SqliteConnection* conn_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, const DatabaseOptions& options)
      : path_(std::move(path)),
        options_(options),
        pool_(path_ == ":memory:" ? 1 : options.pool_size, options.acquire_timeout, [this] { return Connect(); }) {}

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return absl::StrCat("sqlite:", path_); }

  absl::StatusOr<std::unique_ptr<SqliteConnection>> Connect() {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      absl::Status s = Concealed(absl::UnavailableError(
          absl::StrCat("cannot open SQLite database ", path_, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))));
      sqlite3_close_v2(db);
      return s;
    }
    auto conn = std::make_unique<SqliteConnection>(db);
    sqlite3_busy_timeout(db, static_cast<int>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    SqliteSession s(conn.get());
    // WAL: readers never block the writer; NORMAL sync is durable against
    // process crashes (the guarantee we promise), fsync at checkpoints.
    absl::Status st = s.ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    if (!st.ok()) {
      return Concealed(absl::UnavailableError(absl::StrCat("cannot configure SQLite ", path_, ": ", st.message())));
    }
    return conn;
  }

  absl::Status InTransaction(TxMode mode, const std::function<absl::Status(Session&)>& fn) override {
    // SQLite has one writer at a time. Writers of this process queue here
    // instead of in SQLite's busy handler, which polls with sleeps of up to
    // 100 ms and, under 64 concurrent writers, wastes most of the time
    // asleep. Other processes still meet the busy timeout.
    std::unique_lock<std::timed_mutex> writer(write_mu_, std::defer_lock);
    if (mode == TxMode::kWrite && !writer.try_lock_for(absl::ToChronoMilliseconds(options_.acquire_timeout))) {
      return Concealed(absl::UnavailableError(absl::StrCat("SQLite database ", path_, " is busy: no write turn within ",
                                                           absl::FormatDuration(options_.acquire_timeout))));
    }
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    SqliteSession session(&**lease);
    absl::Status st = session.ExecuteScript(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st.ok()) return st;
    absl::Status result = fn(session);
    if (result.ok()) {
      result = session.ExecuteScript("COMMIT");
      if (result.ok()) return result;
    }
    absl::Status rb = session.ExecuteScript("ROLLBACK");
    if (!rb.ok()) lease->Discard();
    return result;
  }

  absl::Status Ping() override {
    return InTransaction(TxMode::kRead, [](Session& s) { return s.Execute("SELECT 1").status(); });
  }

 private:
  const std::string path_;
  const DatabaseOptions options_;
  std::timed_mutex write_mu_;
  ConnectionPool<SqliteConnection> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> OpenSqlite(absl::string_view path, const DatabaseOptions& options) {
  std::string p(path);
  if (p.empty()) return absl::InvalidArgumentError("sqlite: URL needs a path, e.g. sqlite:var/registry.db");
  if (p != ":memory:") {
    // Owner-only: the database holds password hashes and sealed keys. SQLite
    // gives its -wal and -shm files the database file's mode.
    KLA_RETURN_IF_ERROR(MakePrivateDirectories(std::filesystem::path(p).parent_path().string()));
    KLA_RETURN_IF_ERROR(CreatePrivateFile(p));
  }
  auto db = std::make_unique<SqliteDatabase>(p, options);
  absl::Status st = db->Ping();
  if (!st.ok()) return st;
  return db;
}

}  // namespace kla::storage
