#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/rpc/tls.h"
#include "libs/webhook/url.h"

namespace kla::server {

inline const std::vector<std::string>& AllServices() {
  static const std::vector<std::string> kAll = {"registry", "submission", "scoring", "notification"};
  return kAll;
}

// Everything kla-server is configured with. Each field has a flag and an
// environment variable (flag wins); README.md lists them.
struct ServerConfig {
  std::string services = "all";                  // --services, KLA_SERVICES
  std::string listen = "127.0.0.1:7400";         // --listen, KLA_LISTEN
  std::string http_listen;                       // --http-listen, KLA_HTTP_LISTEN (empty: no HTTP/JSON)
  std::string http_cors_origins;                 // --http-cors-origins, KLA_HTTP_CORS_ORIGINS (comma-separated)
  std::string web_root;                          // --web-root, KLA_WEB_ROOT (built web assets; empty: none)
  std::string db = "sqlite:var/{service}.db";    // --db, KLA_DB
  std::string redis;                             // --redis, KLA_REDIS
  std::map<std::string, std::string> addresses;  // --<svc>-addr, KLA_<SVC>_ADDR
  std::string default_deadline = "30s";          // --default-deadline, KLA_DEFAULT_DEADLINE
  std::string shutdown_grace = "10s";            // --shutdown-grace, KLA_SHUTDOWN_GRACE
  std::string log_format = "json";               // --log-format, KLA_LOG_FORMAT
  std::string log_level = "info";                // --log-level, KLA_LOG_LEVEL
  std::string port_file;                         // --port-file, KLA_PORT_FILE
  int db_pool_size = 8;                          // --db-pool-size, KLA_DB_POOL_SIZE
  int max_threads = 256;                         // --max-threads, KLA_MAX_THREADS
  std::string token_ttl = "1h";                  // --token-ttl, KLA_TOKEN_TTL
  std::string token_max_lifetime = "12h";        // --token-max-lifetime, KLA_TOKEN_MAX_LIFETIME
  std::string auth_refresh = "30s";              // --auth-refresh, KLA_AUTH_REFRESH
  std::string regions_dir;                       // --regions-dir, KLA_REGIONS_DIR
  std::string first_admin_file;                  // --first-admin-file, KLA_FIRST_ADMIN_FILE
  std::string service_api_key_file;              // --service-api-key-file, KLA_SERVICE_API_KEY_FILE
  std::string evidence_dir = "var/evidence";     // --evidence-dir, KLA_EVIDENCE_DIR
  int evidence_quota_mib = 2048;                 // --evidence-quota-mib, KLA_EVIDENCE_QUOTA_MIB (per region and cycle)
  std::string upload_expiry = "72h";             // --upload-expiry, KLA_UPLOAD_EXPIRY
  std::string templates_file;                    // --templates, KLA_TEMPLATES (empty: built in)
  std::string secrets_key_file;                  // --secrets-key-file, KLA_SECRETS_KEY_FILE (empty: secrets in clear)
  std::string webhook_timeout = "15s";           // --webhook-timeout, KLA_WEBHOOK_TIMEOUT
  std::string webhook_allow_cidr;                // --webhook-allow-cidr, KLA_WEBHOOK_ALLOW_CIDR (comma-separated)
  std::string reminder_days = "7,3,1";           // --reminder-days, KLA_REMINDER_DAYS ("" or "none": off)
  std::string stream_idle_timeout = "60s";       // --stream-idle-timeout, KLA_STREAM_IDLE_TIMEOUT
  std::string stream_max_lifetime = "1h";        // --stream-max-lifetime, KLA_STREAM_MAX_LIFETIME
  int streams_per_account = 8;                   // --streams-per-account, KLA_STREAMS_PER_ACCOUNT
  int sign_in_concurrency = 4;                   // --sign-in-concurrency, KLA_SIGN_IN_CONCURRENCY
  std::string tls_cert;                          // --tls-cert, KLA_TLS_CERT (empty: plaintext)
  std::string tls_key;                           // --tls-key, KLA_TLS_KEY
  std::string tls_client_ca;                     // --tls-client-ca, KLA_TLS_CLIENT_CA (mTLS)
  std::string tls_ca;                            // --tls-ca, KLA_TLS_CA ("", "system" or a PEM file)
  std::string tls_reload_interval = "60s";       // --tls-reload-interval, KLA_TLS_RELOAD_INTERVAL
};

// The checked, derived form.
struct ResolvedConfig {
  std::vector<std::string> services;             // in canonical order
  std::map<std::string, std::string> db_urls;    // per hosted service
  std::map<std::string, std::string> addresses;  // every service -> address ("" if unknown)
  absl::Duration default_deadline;
  absl::Duration shutdown_grace;
  absl::Duration token_ttl;
  absl::Duration token_max_lifetime;  // tokens living longer are refused
  absl::Duration auth_refresh;
  absl::Duration webhook_timeout;
  webhook::AddressPolicy webhook_addresses;  // public addresses and --webhook-allow-cidr
  std::vector<int> reminder_days;            // descending, distinct; empty: no reminders
  absl::Duration stream_idle_timeout;
  absl::Duration stream_max_lifetime;
  absl::Duration upload_expiry;  // unfinished uploads are removed after it
  rpc::TlsConfig tls;
  // True when the registry runs in this process (it then signs tokens for
  // the co-hosted services); otherwise service_api_key_file is required.
  bool hosts_registry = false;
};

// Validates `config`: known service names, durations, a database URL per
// service ("{service}" in --db is replaced by the service name, so SQLite
// gets one file each while a PostgreSQL URL is shared). Services hosted
// here are reached at this process's own address unless configured.
// INVALID_ARGUMENT naming the flag on any mistake.
absl::StatusOr<ResolvedConfig> Resolve(const ServerConfig& config, int bound_port = 0);

}  // namespace kla::server
