#include "libs/testing/engines.h"

#include "libs/testing/postgres_harness.h"

namespace kla::testing {

absl::StatusOr<std::unique_ptr<storage::Database>> NewTestDatabase(Engine engine, const TempDir& dir,
                                                                   const std::string& name) {
  if (engine == Engine::kSqlite) return storage::OpenDatabase("sqlite:" + dir.path() + "/" + name + ".db");
  auto url = PostgresHarness::Shared().CreateDatabase();
  if (!url.ok()) return url.status();
  return storage::OpenDatabase(*url);
}

}  // namespace kla::testing
