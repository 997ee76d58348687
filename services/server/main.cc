// kla-server: hosts any subset of the four kla services in one process.
// main is wiring: configuration, databases, modules, server, signals.

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <csignal>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/metrics/metrics.h"
#include "libs/rpc/server_host.h"
#include "services/server/server_config.h"
#include "services/server/suite.h"

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
  // A webhook receiver that hangs up mid-answer must be an error on that
  // delivery, never a signal that stops the server.
  std::signal(SIGPIPE, SIG_IGN);

  ServerConfig cfg;
  CLI::App app{"kla-server: the KLA evaluation services (registry, submission, scoring, notification)"};
  app.add_option("--services", cfg.services,
                 "Services to host: all, or a comma list of registry,submission,scoring,notification")
      ->envname("KLA_SERVICES")
      ->capture_default_str();
  app.add_option("--listen", cfg.listen, "gRPC listen address host:port (port 0: any free port)")
      ->envname("KLA_LISTEN")
      ->capture_default_str();
  app.add_option("--http-listen", cfg.http_listen,
                 "HTTP/JSON listen address host:port for REST clients and browsers (empty: none; port 0: any)")
      ->envname("KLA_HTTP_LISTEN");
  app.add_option("--http-cors-origins", cfg.http_cors_origins,
                 "Origins browser pages may call the HTTP API from, comma-separated (default: none)")
      ->envname("KLA_HTTP_CORS_ORIGINS");
  app.add_option("--web-root", cfg.web_root,
                 "Folder of the built web pages the HTTP listener serves, e.g. build/web (the API reference at "
                 "/docs/api/); empty: none")
      ->envname("KLA_WEB_ROOT");
  app.add_option("--db", cfg.db,
                 "Database URL: sqlite:PATH or postgresql://...; {service} is replaced by the service name")
      ->envname("KLA_DB")
      ->capture_default_str();
  app.add_option("--max-threads", cfg.max_threads,
                 "Handler threads (calls in flight); in one process, calls between services take one each too")
      ->envname("KLA_MAX_THREADS")
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
  app.add_option("--token-ttl", cfg.token_ttl, "Lifetime of the tokens the registry issues (at most 12h)")
      ->envname("KLA_TOKEN_TTL")
      ->capture_default_str();
  app.add_option("--token-max-lifetime", cfg.token_max_lifetime,
                 "Tokens whose lifetime (exp - iat) is longer are refused, however signed (at most 12h)")
      ->envname("KLA_TOKEN_MAX_LIFETIME")
      ->capture_default_str();
  app.add_option("--auth-refresh", cfg.auth_refresh, "How often token keys and revocations are re-read")
      ->envname("KLA_AUTH_REFRESH")
      ->capture_default_str();
  app.add_option("--regions-dir", cfg.regions_dir,
                 "Registry: folder with the official provinces.csv and regencies.csv, loaded at start")
      ->envname("KLA_REGIONS_DIR");
  app.add_option("--first-admin-file", cfg.first_admin_file,
                 "Registry: when no national admin exists, create one and write its one-time password here (0600)")
      ->envname("KLA_FIRST_ADMIN_FILE");
  app.add_option("--evidence-dir", cfg.evidence_dir,
                 "Submission: folder of the evidence files (content-addressed; back it up with the database)")
      ->envname("KLA_EVIDENCE_DIR")
      ->capture_default_str();
  app.add_option("--templates", cfg.templates_file,
                 "Notification: texts of notifications (kla.notification.v1.TemplateSet textproto); default: built in")
      ->envname("KLA_TEMPLATES");
  app.add_option("--secrets-key-file", cfg.secrets_key_file,
                 "Key (32 bytes, raw or base64) sealing secrets at rest (token signing keys, webhook signing "
                 "secrets) and authenticating page tokens; replicas share it")
      ->envname("KLA_SECRETS_KEY_FILE");
  app.add_option("--webhook-allow-cidr", cfg.webhook_allow_cidr,
                 "Notification: private ranges webhooks may go to, comma-separated (e.g. a government network "
                 "10.20.0.0/16); by default only public addresses; metadata addresses never")
      ->envname("KLA_WEBHOOK_ALLOW_CIDR");
  app.add_option("--webhook-timeout", cfg.webhook_timeout,
                 "Notification: deadline of one webhook POST (a delivery a crash interrupted goes again after 3x this)")
      ->envname("KLA_WEBHOOK_TIMEOUT")
      ->capture_default_str();
  app.add_option("--reminder-days", cfg.reminder_days,
                 "Notification: days before the self-evaluation closes on which regions that have not submitted are "
                 "reminded, e.g. 7,3,1; none: no reminders")
      ->envname("KLA_REMINDER_DAYS")
      ->capture_default_str();
  app.add_option("--evidence-quota-mib", cfg.evidence_quota_mib,
                 "Submission: evidence one kabupaten/kota may hold in a cycle, in MiB (files and uploads under way)")
      ->envname("KLA_EVIDENCE_QUOTA_MIB")
      ->capture_default_str();
  app.add_option("--upload-expiry", cfg.upload_expiry,
                 "Submission: an upload not finished this long after it began is removed with its bytes")
      ->envname("KLA_UPLOAD_EXPIRY")
      ->capture_default_str();
  app.add_option("--stream-idle-timeout", cfg.stream_idle_timeout,
                 "A stream moving no message for this long is cancelled (stalled uploads, readers that stopped)")
      ->envname("KLA_STREAM_IDLE_TIMEOUT")
      ->capture_default_str();
  app.add_option("--stream-max-lifetime", cfg.stream_max_lifetime,
                 "Longest a stream lives; Watch then ends with UNAVAILABLE and the client resumes")
      ->envname("KLA_STREAM_MAX_LIFETIME")
      ->capture_default_str();
  app.add_option("--streams-per-account", cfg.streams_per_account,
                 "Streams (uploads, downloads, exports, Watch) one account may have open at once")
      ->envname("KLA_STREAMS_PER_ACCOUNT")
      ->capture_default_str();
  app.add_option("--sign-in-concurrency", cfg.sign_in_concurrency,
                 "Registry: passwords checked at once (Argon2id, 64 MiB each); more wait briefly, then are refused")
      ->envname("KLA_SIGN_IN_CONCURRENCY")
      ->capture_default_str();
  app.add_option("--tls-cert", cfg.tls_cert,
                 "Serve TLS with this PEM certificate chain (with --tls-key); re-read when it changes")
      ->envname("KLA_TLS_CERT");
  app.add_option("--tls-key", cfg.tls_key, "The PEM private key of --tls-cert")->envname("KLA_TLS_KEY");
  app.add_option("--tls-client-ca", cfg.tls_client_ca,
                 "Require client certificates signed by this PEM CA (mTLS between services)")
      ->envname("KLA_TLS_CLIENT_CA");
  app.add_option("--tls-ca", cfg.tls_ca,
                 "Call other services over TLS, trusting this PEM CA, or \"system\" for the system trust store; "
                 "empty: plaintext")
      ->envname("KLA_TLS_CA");
  app.add_option("--tls-reload-interval", cfg.tls_reload_interval, "How often certificate files are re-read")
      ->envname("KLA_TLS_RELOAD_INTERVAL")
      ->capture_default_str();
  app.add_option("--service-api-key-file", cfg.service_api_key_file,
                 "Without the registry in this process: file with this process's SERVICE account API key")
      ->envname("KLA_SERVICE_API_KEY_FILE");
  CLI11_PARSE(app, argc, argv);

  kla::log::Format format;
  kla::log::Level level;
  if (!kla::log::ParseFormat(cfg.log_format, &format)) return Fail("--log-format must be json or text");
  if (!kla::log::ParseLevel(cfg.log_level, &level)) return Fail("--log-level must be debug, info, warning or error");
  kla::log::Configure(format, level);
  kla::metrics::SetBuildInfo(KLA_VERSION, KLA_COMMIT);

  // Everything this process creates (databases, evidence, keys, the port
  // file) is for its own user only.
  ::umask(077);
  auto suite = kla::server::Suite::Create(cfg);
  if (!suite.ok()) return Fail(std::string(suite.status().message()));
  absl::Status st = (*suite)->Start();
  if (!st.ok()) return Fail(std::string(st.message()));
  const int port = (*suite)->port();
  kla::log::Info("kla-server serving", {{"listen", cfg.listen}, {"port", port}, {"services", cfg.services}});
  if (!cfg.port_file.empty()) {
    // Written whole and renamed, so a reader never sees half a number.
    st = kla::WriteFileAtomically(cfg.port_file, absl::StrCat(port, "\n"));
    if (!st.ok()) return Fail(std::string(st.message()));
  }

  const int sig = kla::rpc::WaitForTerminationSignal();
  kla::log::Info("signal received", {{"signal", sig}});
  (*suite)->Shutdown();
  return 0;
}
