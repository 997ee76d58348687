#include "tests/harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kla::it {

using testing::ReadFile;

Server::Server(const testing::TempDir& dir, std::vector<std::string> extra_args) : dir_(dir) {
  const std::string port_file = dir.path() + "/port";
  std::remove(port_file.c_str());  // a restart: the old port is gone
  std::vector<std::string> argv = {kBin + "/services/server/kla-server", "--port-file", port_file, "--log-format",
                                   "text",
                                   // Open client connections hold shutdown until the grace ends.
                                   "--shutdown-grace", "2s", "--first-admin-file", dir.path() + "/first-admin.txt",
                                   "--evidence-dir", dir.path() + "/evidence"};
  auto given = [&](const std::string& flag) {
    return std::find(extra_args.begin(), extra_args.end(), flag) != extra_args.end();
  };
  if (!given("--db")) argv.insert(argv.end(), {"--db", "sqlite:" + dir.path() + "/{service}.db"});
  if (!given("--listen")) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  // Test receivers are on loopback, which webhooks reach only when allowed.
  if (!given("--webhook-allow-cidr")) argv.insert(argv.end(), {"--webhook-allow-cidr", "127.0.0.1/32"});
  // The same secrets key for every process of a test (replicas and
  // restarts accept each other's page tokens), as deploy/ mounts one.
  if (!given("--secrets-key-file")) {
    const std::string key = dir.path() + "/secrets.key";
    if (ReadFile(key).empty()) std::ofstream(key) << "a2xhLXRlc3Qtc2VjcmV0cy1rZXktMzItYnl0ZXMhISE=\n";
    ::chmod(key.c_str(), 0600);
    argv.insert(argv.end(), {"--secrets-key-file", key});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto child = testing::ChildProcess::Start({.argv = argv, .log_path = dir.path() + "/server.log"});
  EXPECT_TRUE(child.ok());
  process_ = std::make_unique<testing::ChildProcess>(*std::move(child));
  // The server writes the port file only once it is serving.
  EXPECT_TRUE(
      testing::WaitUntil([&] { return !ReadFile(port_file).empty() || process_->TryWait().has_value(); }, 30000));
  port_ = std::atoi(ReadFile(port_file).c_str());
  EXPECT_GT(port_, 0) << ReadFile(dir.path() + "/server.log");
  channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

std::string Server::log() const { return ReadFile(dir_.path() + "/server.log"); }

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

int Klactl(const testing::TempDir& dir, const std::string& addr, std::vector<std::string> args, std::string* out,
           const std::string& who) {
  // A loaded test machine (Argon2 in parallel tests) can be slow: a generous deadline.
  std::vector<std::string> argv = {kBin + "/tools/klactl/klactl", "--addr", addr, "--timeout", "60s", "--token-file",
                                   dir.path() + "/token-" + who};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string log = dir.path() + "/klactl.out";
  std::remove(log.c_str());
  auto rc = testing::RunCommand({.argv = argv, .log_path = log});
  *out = ReadFile(log);
  return rc.ok() ? *rc : -1;
}

std::string SavedToken(const testing::TempDir& dir, const std::string& who) {
  std::istringstream in(ReadFile(dir.path() + "/token-" + who));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("token: ", 0) == 0) return line.substr(7);
  }
  return "";
}

void LoginFirstAdmin(const testing::TempDir& dir, const std::string& addr) {
  std::ofstream(dir.path() + "/admin-new-password") << "Admin-KemenPPPA-2025\n";
  std::string out;
  ASSERT_EQ(Klactl(dir, addr,
                   {"login", "--credentials-file", dir.path() + "/first-admin.txt", "--new-password-file",
                    dir.path() + "/admin-new-password"},
                   &out),
            0)
      << out;
  EXPECT_THAT(out, ::testing::HasSubstr("masuk sebagai admin (NATIONAL_ADMIN)"));
}

void CreatePlannedCycle(const testing::TempDir& dir, const std::string& addr, const std::string& id,
                        int announce_in_days) {
  std::string out;
  ASSERT_EQ(Klactl(dir, addr, {"rulebook", "upload", kSrc + "/rulebooks/kla-2023-ilustratif.textproto"}, &out), 0)
      << out;
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
  auto window = [&](int from, int to) {
    return absl::StrCat(absl::FormatCivilTime(today + from), ",", absl::FormatCivilTime(today + to));
  };
  ASSERT_EQ(Klactl(dir, addr,
                   {"cycle",
                    "create",
                    "--id",
                    id,
                    "--rulebook",
                    "2023.1-ilustratif",
                    "--self-evaluation",
                    window(-1, 30),
                    "--provincial-verification",
                    window(31, 40),
                    "--central-review",
                    window(41, 50),
                    "--field-verification",
                    window(51, 60),
                    "--objection",
                    window(61, 70),
                    "--final-verification",
                    window(71, 80),
                    "--announcement",
                    absl::FormatCivilTime(today + announce_in_days)},
                   &out),
            0)
      << out;
}

int PortalBrowserTest(const testing::TempDir& dir, const std::string& http, const std::string& mode,
                      const std::string& cycle, std::vector<std::string> extra, std::string* out) {
  std::vector<std::string> argv = {
      "/usr/bin/node", kSrc + "/tests/web/portal_browser_test.mjs", "--base", http, "--mode", mode, "--cycle", cycle,
      "--out",         kBin + "/test-artifacts/portal-" + mode};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const std::string log = dir.path() + "/portal-" + mode + ".out";
  auto rc = testing::RunCommand({.argv = argv, .log_path = log});
  *out = ReadFile(log);
  return rc.ok() ? *rc : -1;
}

}  // namespace kla::it
