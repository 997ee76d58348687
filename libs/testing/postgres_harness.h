#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/testing/process.h"

namespace kla::testing {

// A throwaway PostgreSQL server for tests: initdb into a temporary folder,
// started on a free loopback port, stopped and deleted by the destructor.
// When the tests run as root (CI), the server runs as user "nobody", since
// PostgreSQL refuses to run as root.
class PostgresHarness {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresHarness>> Start();
  // One server per test binary, started on first use, stopped at exit.
  static PostgresHarness& Shared();
  ~PostgresHarness();

  int port() const { return port_; }
  // A new empty database on this server; returns its URL.
  absl::StatusOr<std::string> CreateDatabase();
  // URL of the maintenance database.
  std::string AdminUrl() const;
  // Stops the server abruptly (tests of unreachable databases), and restarts it.
  void Kill();
  absl::Status Restart();

 private:
  PostgresHarness() = default;
  absl::Status Launch();

  std::unique_ptr<TempDir> dir_;
  std::string bin_dir_;
  int port_ = 0;
  int next_db_ = 0;
  std::optional<uid_t> uid_;
  std::optional<gid_t> gid_;
  std::unique_ptr<ChildProcess> server_;
};

// A throwaway redis-server on a free loopback port, without persistence.
class RedisHarness {
 public:
  static absl::StatusOr<std::unique_ptr<RedisHarness>> Start();
  ~RedisHarness();
  int port() const { return port_; }
  std::string address() const;
  void Kill();
  absl::Status Restart();

 private:
  RedisHarness() = default;
  absl::Status Launch();
  std::unique_ptr<TempDir> dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace kla::testing
