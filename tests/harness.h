#pragma once

// What the integration tests share: a real kla-server process, klactl runs,
// signing the first national admin in.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "libs/testing/process.h"

namespace kla::it {

inline const std::string kBin = KLA_BINARY_DIR;
inline const std::string kSrc = KLA_SOURCE_DIR;

// A kla-server process on a free port (unless `extra_args` names a
// --listen), its data under `dir` (SQLite unless `extra_args` names a --db),
// webhooks allowed to loopback and a fixed test secrets key unless
// `extra_args` names --webhook-allow-cidr or --secrets-key-file.
// Starting another Server on the same folder after the first was killed is
// a restart.
class Server {
 public:
  Server(const testing::TempDir& dir, std::vector<std::string> extra_args);
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  testing::ChildProcess& process() { return *process_; }
  std::string log() const;

 private:
  const testing::TempDir& dir_;
  std::unique_ptr<testing::ChildProcess> process_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context with a 10 s deadline.
std::unique_ptr<grpc::ClientContext> Ctx();

// Runs klactl; returns exit code and fills stdout+stderr. `who` names the
// token file, so several people can be signed in at once.
int Klactl(const testing::TempDir& dir, const std::string& addr, std::vector<std::string> args, std::string* out,
           const std::string& who = "admin");

// The token `klactl login` saved for `who`.
std::string SavedToken(const testing::TempDir& dir, const std::string& who);

// Signs the first national admin in with its one-time credentials and a
// new password (token saved for "admin").
void LoginFirstAdmin(const testing::TempDir& dir, const std::string& addr);

// Uploads the default rulebook and creates cycle `id` on it, planned from
// today (WIB) with its announcement `announce_in_days` days ahead.
void CreatePlannedCycle(const testing::TempDir& dir, const std::string& addr, const std::string& id,
                        int announce_in_days);

// Runs tests/web/portal_browser_test.mjs (puppeteer-core driving Debian's
// chromium) in `mode` ("results" or "countdown") against the portal at
// `http`; its screenshots go to <build>/test-artifacts/portal-<mode>.
// Returns its exit code and fills its output.
int PortalBrowserTest(const testing::TempDir& dir, const std::string& http, const std::string& mode,
                      const std::string& cycle, std::vector<std::string> extra, std::string* out);

}  // namespace kla::it
