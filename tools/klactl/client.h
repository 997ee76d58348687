#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace kla::klactl {

struct Options {
  std::string addr = "127.0.0.1:7400";
  // Whether --addr / --tls-ca (or their variables) were given: if not, the
  // saved login's server is used (kubectl's current context).
  bool addr_given = false;
  bool tls_given = false;
  // --context / $KLA_CONTEXT: a saved login other than the current one.
  std::string context;
  std::string output = "table";
  std::string lang = "id";
  std::string timeout = "10s";
  // Where `klactl login` keeps the token: --token-file / $KLA_TOKEN_FILE,
  // else the context's file (see LoginPath).
  std::string token_file;
  // TLS: "" plaintext, "system" the system trust store, or a PEM CA file.
  std::string tls_ca;
  // Allows sending a password, API key or token in plaintext to an address
  // other than loopback (as kubectl's --insecure-skip-tls-verify, gh's
  // http hosts): off by default.
  bool insecure = false;
};

// Messages a person reads, in both languages.
struct Text {
  const char* id;
  const char* en;
};
inline const char* T(const Options& o, Text t) { return o.lang == "en" ? t.en : t.id; }

inline constexpr Text kError{"galat", "error"};
inline constexpr Text kName{"NAMA", "NAME"};
inline constexpr Text kStatus{"STATUS", "STATUS"};
inline constexpr Text kTotal{"jumlah", "total"};
inline constexpr Text kCannotRead{"tidak dapat membaca berkas", "cannot read file"};
inline constexpr Text kInClear{"menolak mengirim kata sandi, kunci API, atau token tanpa enkripsi ke",
                               "refusing to send a password, API key or token unencrypted to"};
inline constexpr Text kInClearHint{
    "gunakan --tls-ca (berkas CA atau \"system\"), atau --insecure bila memang disengaja",
    "use --tls-ca (a CA file or \"system\"), or --insecure if this is deliberate"};
inline constexpr Text kUnreachable{"server tidak dapat dihubungi di", "server unreachable at"};

// klactl's settings: $XDG_CONFIG_HOME/kla, else ~/.config/kla.
std::string ConfigDir();

// Saved sign-ins are contexts, as kubectl's: one file per server and
// account in ConfigDir()/contexts/NAME, the current one named in
// ConfigDir()/current-context. The context of `o`: --context, else the
// current one, else "default".
std::string ContextName(const Options& o);
// The file of the sign-in the command uses: --token-file, else the context's.
std::string LoginPath(const Options& o);
// Makes `name` the current context; false if it cannot be written.
bool UseContext(const std::string& name);
// Saved contexts, sorted by name.
std::vector<std::string> ListContexts();
// A context name is a file name: letters, digits, '.', '_' and '-'.
bool ValidContextName(const std::string& name);

// A saved sign-in.
struct SavedLogin {
  std::string token;
  std::string name;
  std::string addr;
  std::string tls_ca;
  std::string expires;  // RFC 3339
};
// False when the file is missing or has no server address.
bool LoadLogin(const std::string& path, SavedLogin* out);
// Written with mode 0600 (the token is a credential).
bool SaveLogin(const std::string& path, const SavedLogin& login);
// Takes the server (address, TLS) of the saved login unless --addr or
// --tls-ca were given: later commands talk to the server signed in to.
void ApplySavedServer(Options* o);

// The channel and call contexts of one command: each call gets the
// configured deadline and the bearer token ($KLA_TOKEN, else the saved one).
class Client {
 public:
  explicit Client(const Options& o);
  std::unique_ptr<grpc::ClientContext> Context() const;
  // For a long transfer: the configured deadline plus `extra`.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration extra) const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // The channel credentials of --tls-ca (for extra channels, e.g. simulate).
  std::shared_ptr<grpc::ChannelCredentials> credentials() const { return credentials_; }
  // Before sending a password, an API key or a token: exits with an error
  // when it would cross the network in clear (plaintext to a non-loopback
  // address without --insecure).
  void RefuseSecretsInClear() const;
  const std::string& token() const { return token_; }
  // Calls go without the saved token from now on: a sign-in must not send
  // an old, perhaps expired one (the server refuses a call whose token is bad).
  void ForgetToken() { token_.clear(); }
  // The server a saved token was withheld from because it was issued by
  // another (the address it was saved for), or "".
  const std::string& withheld_for() const { return withheld_for_; }
  // One line on stderr; the exit code (2 for bad input, 1 otherwise).
  int Report(const grpc::Status& s) const;

 private:
  const Options& opts_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  std::string token_;
  std::string withheld_for_;
};

bool ReadFile(const std::string& path, std::string* out);

// "2025-03-31 23:59 WIB".
std::string ShowTime(const google::protobuf::Timestamp& ts);
// "2025-03-01" (a whole day in WIB: its start, or with end_of_day the next
// midnight) or RFC 3339 "2025-03-01T08:00:00+07:00".
bool ParseWhen(const std::string& s, bool end_of_day, google::protobuf::Timestamp* out);

}  // namespace kla::klactl
