#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/database.h"

namespace kla::storage {

// SQLite driver: WAL journal, foreign keys on, a pool of connections so
// readers run beside the single writer. ":memory:" gives one shared
// connection (a private in-memory database per Database object).
absl::StatusOr<std::unique_ptr<Database>> OpenSqlite(absl::string_view path, const DatabaseOptions& options);

}  // namespace kla::storage
