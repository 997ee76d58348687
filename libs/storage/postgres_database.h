#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/database.h"

namespace kla::storage {

// PostgreSQL driver over libpq with a connection pool. Broken connections
// are replaced on the next use, so the service survives a database restart.
absl::StatusOr<std::unique_ptr<Database>> OpenPostgres(absl::string_view url, const DatabaseOptions& options);

// Rewrites `?` placeholders to `$1, $2, ...`, leaving quoted text alone.
std::string NumberPlaceholders(absl::string_view sql);

}  // namespace kla::storage
