#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "libs/storage/database.h"
#include "libs/testing/process.h"

namespace kla::testing {

// The storage engines every storage test runs against.
enum class Engine { kSqlite, kPostgres };

inline const char* EngineName(Engine e) { return e == Engine::kSqlite ? "Sqlite" : "Postgres"; }
// For gtest's parameter printing and test names.
inline void PrintTo(Engine e, std::ostream* os) { *os << EngineName(e); }
struct EngineTestName {
  template <typename Info>
  std::string operator()(const Info& info) const {
    return EngineName(info.param);
  }
};

// A fresh, empty database: a SQLite file `name`.db in `dir`, or a new
// database on the shared throwaway PostgreSQL server.
absl::StatusOr<std::unique_ptr<storage::Database>> NewTestDatabase(Engine engine, const TempDir& dir,
                                                                   const std::string& name);

}  // namespace kla::testing
