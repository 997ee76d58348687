#pragma once

// A small database interface with two drivers (SQLite, PostgreSQL) that run
// the same SQL. Parameters are written `?`; the PostgreSQL driver numbers
// them. Only portable types are used: BIGINT (integers, timestamps as unix
// microseconds, points as hundredths), TEXT and BYTEA (bytes).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kla::storage {

// Bytes, distinct from text so drivers bind them as blobs.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

// NULL, integer, text or bytes.
using Value = std::variant<std::monostate, int64_t, std::string, Bytes>;

// Helpers for building parameter lists.
inline Value Null() { return std::monostate{}; }
inline Value Blob(std::string data) { return Bytes{std::move(data)}; }

// One result row. Accessors check the column's type and fail loudly in
// debug builds; a wrong type is a programming error, not a runtime input.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  // Text or bytes as a string (empty for NULL).
  std::string Text(size_t i) const;
  const Value& value(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

struct Result {
  std::vector<Row> rows;
  int64_t affected_rows = 0;
};

enum class Dialect { kSqlite, kPostgres };

// A connection inside a transaction (or autocommit, see Database::Execute).
class Session {
 public:
  virtual ~Session() = default;
  // Runs one statement with `?` parameters.
  virtual absl::StatusOr<Result> Execute(absl::string_view sql, const std::vector<Value>& params) = 0;
  absl::StatusOr<Result> Execute(absl::string_view sql) { return Execute(sql, {}); }
  // Runs several statements without parameters (migrations).
  virtual absl::Status ExecuteScript(absl::string_view sql) = 0;
  virtual Dialect dialect() const = 0;
};

enum class TxMode {
  kRead,   // reads only
  kWrite,  // takes the write lock at the start (SQLite BEGIN IMMEDIATE), so
           // concurrent writers queue instead of failing on lock upgrade
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  // Runs `fn` in a transaction: committed when it returns OK, rolled back
  // otherwise (its status is returned). Waits at most the driver's
  // DatabaseOptions::acquire_timeout for a free connection (UNAVAILABLE
  // after that).
  virtual absl::Status InTransaction(TxMode mode, const std::function<absl::Status(Session&)>& fn) = 0;

  // One statement in its own transaction.
  absl::StatusOr<Result> Execute(absl::string_view sql, const std::vector<Value>& params = {});

  // Checks that the database answers (health, start-up).
  virtual absl::Status Ping() = 0;

  // A human-readable description without credentials, for logs.
  virtual std::string Describe() const = 0;
};

// Options common to both drivers.
struct DatabaseOptions {
  int pool_size = 8;
  // How long a caller waits for a free connection.
  absl::Duration acquire_timeout = absl::Seconds(5);
  // How long connecting may take (PostgreSQL) or a lock may be waited for (SQLite).
  absl::Duration connect_timeout = absl::Seconds(5);
};

// Opens a database from a URL:
//   sqlite:PATH            file (created with its folder if missing), WAL mode
//   sqlite::memory:        private in-memory database (tests)
//   postgresql://...       libpq connection URI (postgres:// also accepted)
// Errors: INVALID_ARGUMENT for an unknown scheme, UNAVAILABLE when the
// database cannot be reached (the message says where and why).
absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(absl::string_view url, const DatabaseOptions& options = {});

// Removes a password from a connection URL, for logs.
std::string RedactUrl(absl::string_view url);

// Unix microseconds, the representation of instants in every table.
inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

}  // namespace kla::storage
