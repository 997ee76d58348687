#include "tools/klactl/client.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/kernel/time.h"
#include "libs/rpc/error_mapping.h"
#include "libs/rpc/logging_interceptor.h"
#include "libs/rpc/tls.h"

namespace kla::klactl {

std::string ConfigDir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x != nullptr && *x != '\0') return absl::StrCat(x, "/kla");
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.config/kla");
}

bool ValidContextName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string ContextName(const Options& o) {
  if (!o.context.empty()) return o.context;
  std::string current;
  if (ReadFile(ConfigDir() + "/current-context", &current)) {
    current = std::string(absl::StripAsciiWhitespace(current));
    if (ValidContextName(current)) return current;
  }
  return "default";
}

std::string LoginPath(const Options& o) {
  if (!o.token_file.empty()) return o.token_file;
  return absl::StrCat(ConfigDir(), "/contexts/", ContextName(o));
}

namespace {

// The folder of a credential: created owner-only.
void MakePrivateDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) return;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
}

}  // namespace

bool UseContext(const std::string& name) {
  MakePrivateDir(ConfigDir());
  return WriteFileAtomically(ConfigDir() + "/current-context", name + "\n", 0600).ok();
}

std::vector<std::string> ListContexts() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(ConfigDir() + "/contexts", ec)) {
    if (e.is_regular_file() && ValidContextName(e.path().filename().string())) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool LoadLogin(const std::string& path, SavedLogin* out) {
  std::string text;
  if (!ReadFile(path, &text)) return false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(": ", 1));
    if (kv.first == "token") out->token = kv.second;
    if (kv.first == "name") out->name = kv.second;
    if (kv.first == "addr") out->addr = kv.second;
    if (kv.first == "tls_ca") out->tls_ca = kv.second;
    if (kv.first == "expires") out->expires = kv.second;
  }
  return !out->addr.empty();
}

bool SaveLogin(const std::string& path, const SavedLogin& login) {
  MakePrivateDir(std::filesystem::path(path).parent_path());
  return WriteFileAtomically(path,
                             absl::StrCat("name: ", login.name, "\naddr: ", login.addr, "\ntls_ca: ", login.tls_ca,
                                          "\nexpires: ", login.expires, "\ntoken: ", login.token, "\n"),
                             0600)
      .ok();
}

void ApplySavedServer(Options* o) {
  SavedLogin saved;
  if (!LoadLogin(LoginPath(*o), &saved)) return;
  if (!o->addr_given) o->addr = saved.addr;
  if (!o->tls_given) o->tls_ca = saved.tls_ca;
}

std::string ShowTime(const google::protobuf::Timestamp& ts) { return FormatWib(FromProtoTime(ts)); }

// "2025-03-01" (a whole day in WIB: its start, or with end_of_day the next
// midnight) or RFC 3339 "2025-03-01T08:00:00+07:00".
bool ParseWhen(const std::string& s, bool end_of_day, google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", s, Wib(), &t, &err)) {
    if (end_of_day) t += absl::Hours(24);
  } else if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
    return false;
  }
  *out = ToProtoTime(t);
  return true;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

namespace {

// 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine.
bool IsLoopback(const std::string& addr) {
  absl::string_view host = addr;
  (void)absl::ConsumePrefix(&host, "dns:///");
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') - 1);
  } else {
    host = host.substr(0, host.rfind(':'));
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace

Client::Client(const Options& o) : opts_(o) {
  credentials_ = rpc::ChannelCredentials(rpc::TlsConfig{.ca_file = o.tls_ca});
  channel_ = grpc::CreateChannel(o.addr, credentials_);
  absl::Duration d;
  timeout_ = absl::ParseDuration(o.timeout, &d) ? d : absl::Seconds(10);
  if (const char* t = std::getenv("KLA_TOKEN"); t != nullptr && *t != '\0') {
    token_ = t;
  } else if (SavedLogin saved; LoadLogin(LoginPath(o), &saved)) {
    // A context's token goes only to the server that issued it; a token file
    // named on the command line goes where --addr says (both were chosen).
    if (saved.addr == o.addr || !o.token_file.empty()) {
      token_ = saved.token;
    } else if (!saved.token.empty()) {
      withheld_for_ = saved.addr;
    }
  }
}

std::unique_ptr<grpc::ClientContext> Client::Context() const { return Context(absl::ZeroDuration()); }

void Client::RefuseSecretsInClear() const {
  if (!opts_.tls_ca.empty() || opts_.insecure || IsLoopback(opts_.addr)) return;
  std::cerr << "klactl: " << T(opts_, kError) << ": " << T(opts_, kInClear) << " " << opts_.addr << "; "
            << T(opts_, kInClearHint) << "\n";
  std::exit(2);
}

std::unique_ptr<grpc::ClientContext> Client::Context(absl::Duration extra) const {
  if (!token_.empty()) RefuseSecretsInClear();
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_ + extra));
  if (!token_.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  // Errors come back with a message in the language klactl speaks.
  ctx->AddMetadata("accept-language", opts_.lang == "en" ? "en" : "id");
  return ctx;
}

int Client::Report(const grpc::Status& s) const {
  absl::Status st = rpc::FromGrpcStatus(s);
  std::string line = absl::StrCat("klactl: ", T(opts_, kError), ": ");
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    absl::StrAppend(&line, T(opts_, kUnreachable), " ", opts_.addr, " (", s.error_message(), ")");
    if (opts_.tls_ca.empty()) {
      absl::StrAppend(&line, "; ",
                      T(opts_, {"bila server memakai TLS, berikan --tls-ca (berkas CA atau \"system\")",
                                "if the server uses TLS, give --tls-ca (a CA file or \"system\")"}));
    }
  } else {
    // The server's sentence for people (google.rpc.LocalizedMessage) and its
    // reason for programs (google.rpc.ErrorInfo); the developer's message
    // when the server sent neither.
    google::rpc::Status details;
    std::string localized;
    std::string reason;
    if (details.ParseFromString(s.error_details())) {
      for (const auto& any : details.details()) {
        google::rpc::LocalizedMessage m;
        google::rpc::ErrorInfo info;
        if (any.UnpackTo(&m)) localized = m.message();
        if (any.UnpackTo(&info)) reason = info.reason();
      }
    }
    absl::StrAppend(&line, rpc::StatusCodeName(s.error_code()), reason.empty() ? "" : absl::StrCat(" (", reason, ")"),
                    ": ", localized.empty() ? s.error_message() : localized);
    for (const auto& v : GetFieldViolations(st)) absl::StrAppend(&line, "\n  ", v.field, ": ", v.description);
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      absl::StrAppend(&line, T(opts_, {" (masuk dulu: klactl login)", " (sign in first: klactl login)"}));
      if (!withheld_for_.empty()) {
        absl::StrAppend(&line, "\n", T(opts_, {"token tersimpan milik server ", "the saved token belongs to "}),
                        withheld_for_, T(opts_, {", bukan ", ", not "}), opts_.addr,
                        T(opts_, {": masuk ke server ini dengan klactl login --context NAMA",
                                  ": sign in to this server with klactl login --context NAME"}));
      }
    }
  }
  std::cerr << line << "\n";
  return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 2 : 1;
}

}  // namespace kla::klactl
