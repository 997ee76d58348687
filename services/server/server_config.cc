#include "services/server/server_config.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"

namespace kla::server {
namespace {

absl::StatusOr<absl::Duration> ParseDurationFlag(const std::string& flag, const std::string& value) {
  absl::Duration d;
  if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": \"", value, "\" is not a positive duration (e.g. 30s)"));
  }
  return d;
}

absl::StatusOr<std::set<std::string>> ResolveServices(const ServerConfig& config, ResolvedConfig* out) {
  std::set<std::string> wanted;
  for (absl::string_view s : absl::StrSplit(config.services, ',', absl::SkipWhitespace())) {
    std::string name(absl::StripAsciiWhitespace(s));
    if (name == "all") {
      wanted.insert(AllServices().begin(), AllServices().end());
    } else if (std::find(AllServices().begin(), AllServices().end(), name) != AllServices().end()) {
      wanted.insert(name);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--services: unknown service \"", name, "\"; choose from all, ",
                                                     absl::StrJoin(AllServices(), ", ")));
    }
  }
  if (wanted.empty()) return absl::InvalidArgumentError("--services: name at least one service");
  for (const auto& s : AllServices()) {
    if (wanted.contains(s)) out->services.push_back(s);
  }
  return wanted;
}

// Deadlines, token lifetimes and stream limits.
absl::Status ResolveTimes(const ServerConfig& config, ResolvedConfig* out) {
  KLA_ASSIGN_OR_RETURN(out->default_deadline, ParseDurationFlag("default-deadline", config.default_deadline));
  KLA_ASSIGN_OR_RETURN(out->shutdown_grace, ParseDurationFlag("shutdown-grace", config.shutdown_grace));
  KLA_ASSIGN_OR_RETURN(out->token_ttl, ParseDurationFlag("token-ttl", config.token_ttl));
  if (out->token_ttl > absl::Hours(12)) {
    return absl::InvalidArgumentError("--token-ttl: at most 12h (tokens are short-lived)");
  }
  KLA_ASSIGN_OR_RETURN(out->token_max_lifetime, ParseDurationFlag("token-max-lifetime", config.token_max_lifetime));
  if (out->token_max_lifetime > absl::Hours(12) || out->token_max_lifetime < out->token_ttl) {
    return absl::InvalidArgumentError("--token-max-lifetime: at least --token-ttl and at most 12h");
  }
  KLA_ASSIGN_OR_RETURN(out->stream_idle_timeout, ParseDurationFlag("stream-idle-timeout", config.stream_idle_timeout));
  if (out->stream_idle_timeout < absl::Seconds(5) || out->stream_idle_timeout > absl::Minutes(10)) {
    return absl::InvalidArgumentError("--stream-idle-timeout: 5s to 10m");
  }
  KLA_ASSIGN_OR_RETURN(out->stream_max_lifetime, ParseDurationFlag("stream-max-lifetime", config.stream_max_lifetime));
  if (out->stream_max_lifetime < absl::Minutes(1) || out->stream_max_lifetime > absl::Hours(24)) {
    return absl::InvalidArgumentError("--stream-max-lifetime: 1m to 24h");
  }
  KLA_ASSIGN_OR_RETURN(out->upload_expiry, ParseDurationFlag("upload-expiry", config.upload_expiry));
  if (out->upload_expiry < absl::Hours(1) || out->upload_expiry > absl::Hours(24 * 30)) {
    return absl::InvalidArgumentError("--upload-expiry: 1h to 720h (30 days)");
  }
  KLA_ASSIGN_OR_RETURN(out->auth_refresh, ParseDurationFlag("auth-refresh", config.auth_refresh));
  return absl::OkStatus();
}

absl::Status CheckLimits(const ServerConfig& config) {
  if (config.max_threads < 16 || config.max_threads > 4096) {
    return absl::InvalidArgumentError("--max-threads: 16 to 4096");
  }
  if (config.evidence_quota_mib < 25 || config.evidence_quota_mib > 1024 * 1024) {
    return absl::InvalidArgumentError("--evidence-quota-mib: 25 (one file) to 1048576 (1 TiB)");
  }
  if (config.streams_per_account < 1 || config.streams_per_account > config.max_threads / 4) {
    return absl::InvalidArgumentError("--streams-per-account: 1 to a quarter of --max-threads");
  }
  if (config.sign_in_concurrency < 1 || config.sign_in_concurrency > 64) {
    return absl::InvalidArgumentError("--sign-in-concurrency: 1 to 64 (each check takes 64 MiB)");
  }
  return absl::OkStatus();
}

absl::Status ResolveTls(const ServerConfig& config, ResolvedConfig* out) {
  KLA_ASSIGN_OR_RETURN(const absl::Duration reload,
                       ParseDurationFlag("tls-reload-interval", config.tls_reload_interval));
  out->tls = {.cert_file = config.tls_cert,
              .key_file = config.tls_key,
              .client_ca_file = config.tls_client_ca,
              .ca_file = config.tls_ca,
              .reload_interval = reload};
  KLA_RETURN_IF_ERROR(rpc::ValidateTls(out->tls));
  // Services reach each other (and this process itself) on the same
  // transport: a TLS server needs to know whom to trust when calling.
  if (out->tls.serves_tls() && !out->tls.calls_tls()) {
    return absl::InvalidArgumentError(
        "--tls-cert needs --tls-ca: the CA of the services' certificates (a PEM file) or \"system\"");
  }
  return absl::OkStatus();
}

// Webhook delivery and the reminders before deadlines.
absl::Status ResolveNotices(const ServerConfig& config, ResolvedConfig* out) {
  KLA_ASSIGN_OR_RETURN(out->webhook_timeout, ParseDurationFlag("webhook-timeout", config.webhook_timeout));
  if (out->webhook_timeout > absl::Seconds(60)) {
    return absl::InvalidArgumentError("--webhook-timeout: at most 60s (receivers should answer at once)");
  }
  std::vector<std::string> cidrs;
  for (absl::string_view cidr : absl::StrSplit(config.webhook_allow_cidr, ',', absl::SkipWhitespace())) {
    cidrs.emplace_back(absl::StripAsciiWhitespace(cidr));
  }
  auto policy = webhook::AddressPolicy::Create(cidrs);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--webhook-allow-cidr: ", policy.status().message()));
  }
  out->webhook_addresses = *std::move(policy);
  if (config.reminder_days == "none") return absl::OkStatus();
  for (absl::string_view d : absl::StrSplit(config.reminder_days, ',', absl::SkipWhitespace())) {
    int days = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(d), &days) || days < 1 || days > 60) {
      return absl::InvalidArgumentError(absl::StrCat("--reminder-days: \"", config.reminder_days,
                                                     "\" is not a list of days from 1 to 60 (e.g. 7,3,1) or none"));
    }
    if (std::find(out->reminder_days.begin(), out->reminder_days.end(), days) == out->reminder_days.end()) {
      out->reminder_days.push_back(days);
    }
  }
  std::sort(out->reminder_days.rbegin(), out->reminder_days.rend());
  return absl::OkStatus();
}

// What this process needs of the services it does not host.
absl::Status CheckRemotes(const ServerConfig& config, const std::set<std::string>& wanted, const ResolvedConfig& out) {
  auto has_address = [&](const std::string& service) {
    auto it = config.addresses.find(service);
    return it != config.addresses.end() && !it->second.empty();
  };
  if (!out.hosts_registry) {
    if (config.service_api_key_file.empty()) {
      return absl::InvalidArgumentError(
          "--service-api-key-file: required when the registry runs elsewhere (the API key of this process's SERVICE "
          "account)");
    }
    if (!has_address("registry")) {
      return absl::InvalidArgumentError("--registry-addr: required when the registry runs elsewhere");
    }
  }
  if (wanted.contains("notification") && !wanted.contains("submission") && !out.reminder_days.empty() &&
      !has_address("submission")) {
    return absl::InvalidArgumentError(
        "--submission-addr: required for notification's reminders when submission runs elsewhere (or "
        "--reminder-days none)");
  }
  return absl::OkStatus();
}

// Where every service is reached: its configured address, this process
// for the services it hosts.
void ResolveAddresses(const ServerConfig& config, const std::set<std::string>& wanted, int bound_port,
                      ResolvedConfig* out) {
  // This process's own address, as other local components reach it.
  std::string self = config.listen;
  if (bound_port != 0) {
    const size_t colon = self.rfind(':');
    std::string host = colon == std::string::npos ? "127.0.0.1" : self.substr(0, colon);
    if (host == "0.0.0.0" || host == "[::]" || host.empty()) host = "127.0.0.1";
    self = absl::StrCat(host, ":", bound_port);
  }
  for (const auto& s : AllServices()) {
    auto it = config.addresses.find(s);
    if (it != config.addresses.end() && !it->second.empty()) {
      out->addresses[s] = it->second;
    } else {
      out->addresses[s] = wanted.contains(s) ? self : "";
    }
  }
}

}  // namespace

absl::StatusOr<ResolvedConfig> Resolve(const ServerConfig& config, int bound_port) {
  ResolvedConfig out;
  KLA_ASSIGN_OR_RETURN(const std::set<std::string> wanted, ResolveServices(config, &out));
  KLA_RETURN_IF_ERROR(ResolveTimes(config, &out));
  KLA_RETURN_IF_ERROR(CheckLimits(config));
  KLA_RETURN_IF_ERROR(ResolveTls(config, &out));
  KLA_RETURN_IF_ERROR(ResolveNotices(config, &out));
  out.hosts_registry = wanted.contains("registry");
  KLA_RETURN_IF_ERROR(CheckRemotes(config, wanted, out));
  if (config.db.empty()) return absl::InvalidArgumentError("--db: required");
  for (const auto& s : out.services) out.db_urls[s] = absl::StrReplaceAll(config.db, {{"{service}", s}});
  ResolveAddresses(config, wanted, bound_port, &out);
  return out;
}

}  // namespace kla::server
