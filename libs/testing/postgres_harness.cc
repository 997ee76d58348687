#include "libs/testing/postgres_harness.h"

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace kla::testing {
namespace {

std::string FindPostgresBin() {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string best;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin" / "initdb") && e.path().string() > best) best = e.path().string();
  }
  return best.empty() ? "" : best + "/bin";
}

bool PgReady(int port) {
  const std::string conninfo = absl::StrCat("host=127.0.0.1 port=", port, " dbname=postgres connect_timeout=1");
  return PQping(conninfo.c_str()) == PQPING_OK;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresHarness>> PostgresHarness::Start() {
  std::unique_ptr<PostgresHarness> h(new PostgresHarness());
  h->bin_dir_ = FindPostgresBin();
  if (h->bin_dir_.empty()) {
    return absl::FailedPreconditionError(
        "PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/bootstrap");
  }
  h->dir_ = std::make_unique<TempDir>();
  if (geteuid() == 0) {
    passwd* pw = getpwnam("nobody");
    if (pw == nullptr) return absl::FailedPreconditionError("running as root and no user 'nobody' to run PostgreSQL");
    h->uid_ = pw->pw_uid;
    h->gid_ = pw->pw_gid;
    if (chown(h->dir_->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError("cannot chown the PostgreSQL folder");
    }
  }
  const std::string data = h->dir_->path() + "/data";
  auto rc = RunCommand({.argv = {h->bin_dir_ + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                 "--no-locale", "--no-sync"},
                        .log_path = h->dir_->path() + "/initdb.log",
                        .run_as_uid = h->uid_,
                        .run_as_gid = h->gid_});
  if (!rc.ok()) return rc.status();
  if (*rc != 0) return absl::InternalError(absl::StrCat("initdb failed, see ", h->dir_->path(), "/initdb.log"));
  // A free port can be taken by a parallel test between our probe and the
  // server's bind: try a few.
  absl::Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    h->port_ = FreePort();
    st = h->Launch();
    if (st.ok()) return h;
    if (h->server_) {
      h->server_->Signal(SIGKILL);
      h->server_->Wait();
    }
  }
  return st;
}

absl::Status PostgresHarness::Launch() {
  const std::string data = dir_->path() + "/data";
  // fsync off: a test database need not survive a power cut, and it is faster.
  auto child = ChildProcess::Start({.argv = {bin_dir_ + "/postgres", "-D", data, "-p", absl::StrCat(port_), "-h",
                                             "127.0.0.1", "-k", dir_->path(), "-F", "-c", "max_connections=200"},
                                    .log_path = dir_->path() + "/postgres.log",
                                    .run_as_uid = uid_,
                                    .run_as_gid = gid_});
  if (!child.ok()) return child.status();
  server_ = std::make_unique<ChildProcess>(*std::move(child));
  const int port = port_;
  ChildProcess* server = server_.get();
  if (!WaitUntil([port, server] { return PgReady(port) || server->TryWait().has_value(); }, 30000) || !PgReady(port)) {
    return absl::DeadlineExceededError(absl::StrCat("PostgreSQL did not start, see ", dir_->path(), "/postgres.log"));
  }
  return absl::OkStatus();
}

PostgresHarness& PostgresHarness::Shared() {
  static PostgresHarness* shared = [] {
    auto h = Start();
    if (!h.ok()) {
      std::cerr << "cannot start PostgreSQL for tests: " << h.status() << "\n";
      std::abort();
    }
    PostgresHarness* p = h->release();
    std::atexit([] { delete shared; });
    return p;
  }();
  return *shared;
}

PostgresHarness::~PostgresHarness() {
  if (server_ && server_->running()) {
    server_->Signal(SIGQUIT);  // immediate shutdown: nothing to keep
    server_->Wait();
  }
}

std::string PostgresHarness::AdminUrl() const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/postgres");
}

absl::StatusOr<std::string> PostgresHarness::CreateDatabase() {
  const std::string name = absl::StrCat("kla_test_", getpid(), "_", next_db_++);
  PGconn* conn = PQconnectdb(absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres dbname=postgres").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string err = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(err);
  }
  PGresult* res = PQexec(conn, absl::StrCat("CREATE DATABASE ", name).c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (!ok) return absl::InternalError(err);
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/", name);
}

void PostgresHarness::Kill() {
  if (server_ && server_->running()) {
    server_->Signal(SIGKILL);
    server_->Wait();
    // Orphaned backends would keep the port; they exit when the postmaster dies.
    const int port = port_;
    WaitUntil([port] { return !PgReady(port); }, 5000);
  }
}

absl::Status PostgresHarness::Restart() { return Launch(); }

// ---------------------------------------------------------------- Redis

absl::StatusOr<std::unique_ptr<RedisHarness>> RedisHarness::Start() {
  std::unique_ptr<RedisHarness> h(new RedisHarness());
  h->dir_ = std::make_unique<TempDir>();
  absl::Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {  // see PostgresHarness::Start
    h->port_ = FreePort();
    st = h->Launch();
    if (st.ok()) return h;
    h->Kill();
  }
  return st;
}

absl::Status RedisHarness::Launch() {
  const char* path = "/usr/bin/redis-server";
  if (access(path, X_OK) != 0) return absl::FailedPreconditionError("redis-server not found: run scripts/bootstrap");
  auto child = ChildProcess::Start({.argv = {path, "--port", absl::StrCat(port_), "--bind", "127.0.0.1", "--save", "",
                                             "--appendonly", "no", "--dir", dir_->path()},
                                    .log_path = dir_->path() + "/redis.log"});
  if (!child.ok()) return child.status();
  server_ = std::make_unique<ChildProcess>(*std::move(child));
  const int port = port_;
  ChildProcess* server = server_.get();
  bool ready = WaitUntil(
                   [port, server] {
                     timeval tv{1, 0};
                     redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
                     bool ok = false;
                     if (c != nullptr && c->err == 0) {
                       auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
                       ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
                       if (r != nullptr) freeReplyObject(r);
                     }
                     if (c != nullptr) redisFree(c);
                     return ok || server->TryWait().has_value();  // exited: stop waiting
                   },
                   10000) &&
               server->running();
  if (!ready) return absl::DeadlineExceededError("redis-server did not start");
  return absl::OkStatus();
}

RedisHarness::~RedisHarness() { Kill(); }

std::string RedisHarness::address() const { return absl::StrCat("127.0.0.1:", port_); }

void RedisHarness::Kill() {
  if (server_ && server_->running()) {
    server_->Signal(SIGKILL);
    server_->Wait();
  }
}

absl::Status RedisHarness::Restart() { return Launch(); }

}  // namespace kla::testing
