// kla-server: hosts any subset of the four kla services in one process.
// main is wiring: configuration, databases, modules, server, signals.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/outbox/grpc_event.h"
#include "libs/rpc/server_host.h"
#include "libs/storage/database.h"
#include "services/notification/notification_module.h"
#include "services/registry/registry_module.h"
#include "services/scoring/scoring_module.h"
#include "services/server/server_config.h"
#include "services/submission/submission_module.h"

namespace {

using kla::server::ServerConfig;

int Fail(const std::string& what) {
  kla::log::Error("kla-server cannot start", {{"reason", what}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): CLI11 parse errors are handled
  // Before any thread exists, so every thread inherits the blocked mask and
  // the main thread alone receives SIGTERM/SIGINT.
  kla::rpc::BlockTerminationSignals();

  ServerConfig cfg;
  CLI::App app{"kla-server: the KLA evaluation services (registry, submission, scoring, notification)"};
  app.add_option("--services", cfg.services,
                 "Services to host: all, or a comma list of registry,submission,scoring,notification")
      ->envname("KLA_SERVICES")
      ->capture_default_str();
  app.add_option("--listen", cfg.listen, "gRPC listen address host:port (port 0: any free port)")
      ->envname("KLA_LISTEN")
      ->capture_default_str();
  app.add_option("--db", cfg.db,
                 "Database URL: sqlite:PATH or postgresql://...; {service} is replaced by the service name")
      ->envname("KLA_DB")
      ->capture_default_str();
  app.add_option("--db-pool-size", cfg.db_pool_size, "Connections per database")
      ->envname("KLA_DB_POOL_SIZE")
      ->capture_default_str();
  app.add_option("--redis", cfg.redis, "Redis host:port for the ranking cache (scoring); empty: no cache")
      ->envname("KLA_REDIS");
  for (const auto& s : kla::server::AllServices()) {
    app.add_option(absl::StrCat("--", s, "-addr"), cfg.addresses[s],
                   absl::StrCat("Address of the ", s, " service (default: this process if it hosts it)"))
        ->envname(absl::StrCat("KLA_", absl::AsciiStrToUpper(s), "_ADDR"));
  }
  app.add_option("--default-deadline", cfg.default_deadline, "Deadline for calls that arrive without one")
      ->envname("KLA_DEFAULT_DEADLINE")
      ->capture_default_str();
  app.add_option("--shutdown-grace", cfg.shutdown_grace, "Time in-flight calls get to finish on SIGTERM")
      ->envname("KLA_SHUTDOWN_GRACE")
      ->capture_default_str();
  app.add_option("--log-format", cfg.log_format, "json or text")->envname("KLA_LOG_FORMAT")->capture_default_str();
  app.add_option("--log-level", cfg.log_level, "debug, info, warning or error")
      ->envname("KLA_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--port-file", cfg.port_file, "Write the bound port to this file once serving")
      ->envname("KLA_PORT_FILE");
  CLI11_PARSE(app, argc, argv);

  kla::log::Format format;
  kla::log::Level level;
  if (!kla::log::ParseFormat(cfg.log_format, &format)) return Fail("--log-format must be json or text");
  if (!kla::log::ParseLevel(cfg.log_level, &level)) return Fail("--log-level must be debug, info, warning or error");
  kla::log::Configure(format, level);

  auto resolved = kla::server::Resolve(cfg);
  if (!resolved.ok()) return Fail(std::string(resolved.status().message()));

  // One connection pool per distinct URL: with PostgreSQL all services share it.
  std::map<std::string, std::unique_ptr<kla::storage::Database>> databases;
  std::map<std::string, kla::storage::Database*> db_of;
  for (const auto& [service, url] : resolved->db_urls) {
    if (!databases.contains(url)) {
      auto db = kla::storage::OpenDatabase(url, {.pool_size = cfg.db_pool_size});
      if (!db.ok()) return Fail(absl::StrCat("database for ", service, ": ", db.status().message()));
      kla::log::Info("database open", {{"service", service}, {"url", (*db)->Describe()}});
      databases[url] = *std::move(db);
    }
    db_of[service] = databases[url].get();
  }

  // Addresses of the other services are set once this process's port is
  // known (port 0 picks one); relays start only after that.
  kla::outbox::GrpcSinkDirectory sinks;
  kla::outbox::GrpcSinkDirectory* sinks_ptr = &sinks;

  std::unique_ptr<kla::redis::RedisClient> cache;
  if (!cfg.redis.empty()) {
    cache = std::make_unique<kla::redis::RedisClient>(kla::redis::RedisOptions{.address = cfg.redis});
  }

  kla::rpc::CallPolicy policy{.default_deadline = resolved->default_deadline};
  std::vector<std::unique_ptr<kla::rpc::ServiceModule>> modules;
  for (const auto& s : resolved->services) {
    absl::StatusOr<std::unique_ptr<kla::rpc::ServiceModule>> m;
    if (s == "registry") {
      m = kla::registry::RegistryModule::Create(db_of[s], policy, sinks_ptr);
    } else if (s == "submission") {
      m = kla::submission::SubmissionModule::Create(db_of[s], policy, sinks_ptr);
    } else if (s == "scoring") {
      m = kla::scoring::ScoringModule::Create(db_of[s], policy, sinks_ptr, cache.get());
    } else {
      m = kla::notification::NotificationModule::Create(db_of[s], policy, sinks_ptr);
    }
    if (!m.ok()) return Fail(absl::StrCat("service ", s, ": ", m.status().message()));
    modules.push_back(*std::move(m));
  }

  kla::outbox::EventInboxService inbox(policy);
  std::vector<kla::rpc::ServiceModule*> raw;
  for (auto& m : modules) {
    raw.push_back(m.get());
    if (auto* c = m->event_consumer()) inbox.AddConsumer(m->name(), c);
  }

  kla::rpc::ServerHost host({.listen_address = cfg.listen, .shutdown_grace = resolved->shutdown_grace}, raw, {&inbox});
  absl::Status st = host.Listen();
  if (!st.ok()) return Fail(std::string(st.message()));
  auto with_port = kla::server::Resolve(cfg, host.port());
  if (!with_port.ok()) return Fail(std::string(with_port.status().message()));
  sinks.SetAddresses(with_port->addresses);
  st = host.StartModules();
  if (!st.ok()) return Fail(std::string(st.message()));
  kla::log::Info("kla-server serving", {{"listen", cfg.listen}, {"port", host.port()}, {"services", cfg.services}});
  if (!cfg.port_file.empty()) {
    // Written whole and renamed, so a reader never sees half a number.
    const std::string tmp = cfg.port_file + ".tmp";
    { std::ofstream(tmp) << host.port() << "\n"; }
    std::rename(tmp.c_str(), cfg.port_file.c_str());
  }

  const int sig = kla::rpc::WaitForTerminationSignal();
  kla::log::Info("signal received", {{"signal", sig}});
  host.Shutdown();
  return 0;
}
