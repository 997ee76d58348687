// The main job end to end: `klactl simulate` runs a whole national cycle
// for the 514 kabupaten/kota against the real binaries — in one process; as
// a national deployment (one process per service, PostgreSQL, Redis); and
// while a driver SIGKILLs random service processes and restarts them. Each
// run must end with the 2025-shaped result, the final ranking the seed's
// plan implies (what a clean run publishes), every evidence file intact and
// every award announcement received with a valid signature.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/testing/postgres_harness.h"
#include "tests/harness.h"

namespace kla {
namespace {

using it::Klactl;
using it::Server;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

const std::vector<std::string> kServices = {"registry", "submission", "scoring", "notification"};

int Simulate(const testing::TempDir& dir, const std::string& addr, std::vector<std::string> extra, std::string* out) {
  std::vector<std::string> args = {"simulate", "--rulebook", it::kSrc + "/rulebooks/kla-2023-ilustratif.textproto"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Klactl(dir, addr, args, out);
}

void ExpectTheNationalResult(const std::string& out) {
  EXPECT_THAT(out, ContainsRegex("Utama +22"));
  EXPECT_THAT(out, ContainsRegex("Nindya +69"));
  EXPECT_THAT(out, ContainsRegex("Madya +125"));
  EXPECT_THAT(out, ContainsRegex("Pratama +139"));
  EXPECT_THAT(out, ContainsRegex("berpredikat +355 / 514"));
  EXPECT_THAT(out, ContainsRegex("tidak dinilai \\(tidak mengirim\\) +29"));
  EXPECT_THAT(out, HasSubstr("Provinsi Layak Anak (Provila): "));
  EXPECT_THAT(out, HasSubstr("Peringkat akhir sesuai rencana benih 2025: 485 daerah"));
  EXPECT_THAT(out, HasSubstr("Semua jawaban dan data dukung tersimpan utuh."));
  EXPECT_THAT(out, HasSubstr("Pengumuman diterima penerima webhook: 356 dari 356"));
  EXPECT_THAT(out, HasSubstr("; 0 tanda tangan salah"));
  EXPECT_THAT(out, HasSubstr("klactl scores show 35.72 --cycle simulasi-2025 --explain"));
}

TEST(NationalCycleTest, OneProcess) {
  testing::TempDir dir;
  const std::string http = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  Server server(dir, {"--regions-dir", it::kSrc + "/data/regions", "--http-listen", http.substr(7), "--web-root",
                      it::kBin + "/web"});
  it::LoginFirstAdmin(dir, server.address());
  std::string out;
  ASSERT_EQ(Simulate(dir, server.address(), {}, &out), 0) << out << server.log();
  ExpectTheNationalResult(out);
  // Each step said how far it was.
  EXPECT_THAT(out, HasSubstr("evaluasi mandiri 514/514"));
  EXPECT_THAT(out, HasSubstr("verifikasi final 485/485"));
  // The receiver stopped with klactl; its subscription went with it.
  ASSERT_EQ(Klactl(dir, server.address(), {"subscriptions", "list"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::Not(HasSubstr("/kla/simulasi-2025")));

  // Another agency's system (examples/agency_client.py, stubs from proto/
  // alone, Debian's python3-grpcio) reads the final ranking and follows the
  // feed, resuming from its cursor.
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"accounts", "create", "bps.integrasi", "--role", "integration", "--secret-file", dir.path() + "/bps.key"},
             &out),
      0)
      << out;
  auto agency = [&](int max_events) {
    const std::string log = dir.path() + "/agency.out";
    std::remove(log.c_str());
    auto rc = testing::RunCommand(
        {.argv = {"/usr/bin/python3", it::kSrc + "/examples/agency_client.py", "--addr", server.address(),
                  "--api-key-file", dir.path() + "/bps.key", "--cycle", "simulasi-2025", "--cursor-file",
                  dir.path() + "/bps.cursor", "--max-events", std::to_string(max_events), "--top", "3"},
         .log_path = log});
    EXPECT_TRUE(rc.ok() && *rc == 0) << testing::ReadFile(log);
    return testing::ReadFile(log);
  };
  std::string first = agency(4);
  EXPECT_THAT(first, HasSubstr("signed in as bps.integrasi"));
  EXPECT_THAT(first, HasSubstr("final ranking simulasi-2025: 485 ranked, 355 awarded"));
  EXPECT_THAT(first, HasSubstr("\n   1  K"));  // rank 1, a Kabupaten or Kota
  EXPECT_THAT(first, HasSubstr("feed 1  CYCLE_OPENED"));
  EXPECT_THAT(first, HasSubstr("feed: 4 notifications, cursor 4"));
  std::string second = agency(2);
  EXPECT_THAT(second, HasSubstr("feed 5  "));
  EXPECT_THAT(second, ::testing::Not(HasSubstr("feed 4  ")));
  EXPECT_THAT(second, HasSubstr("feed: 2 notifications, cursor 6"));

  // The same over HTTP/JSON, as a PHP portal does it (examples/agency_client.php:
  // an OAuth token, the ranking, Kota Blitar's page, the feed as Server-Sent
  // Events resumed from its own cursor).
  auto portal = [&](int max_events) {
    const std::string log = dir.path() + "/portal.out";
    std::remove(log.c_str());
    auto rc = testing::RunCommand(
        {.argv = {"/usr/bin/php", it::kSrc + "/examples/agency_client.php", "--base", http, "--client-id",
                  "bps.integrasi", "--api-key-file", dir.path() + "/bps.key", "--cycle", "simulasi-2025", "--region",
                  "35.72", "--cursor-file", dir.path() + "/portal.cursor", "--max-events", std::to_string(max_events),
                  "--top", "3"},
         .log_path = log});
    EXPECT_TRUE(rc.ok() && *rc == 0) << testing::ReadFile(log);
    return testing::ReadFile(log);
  };
  const std::string php = portal(3);
  EXPECT_THAT(php, HasSubstr("signed in as bps.integrasi"));
  EXPECT_THAT(php, HasSubstr("final ranking simulasi-2025: 485 ranked, 355 awarded"));
  EXPECT_THAT(php, HasSubstr("\n   1  K"));
  EXPECT_THAT(php, ContainsRegex("Kota Blitar: rank [0-9]+ of 485 nationally"));
  EXPECT_THAT(php, HasSubstr("feed 1  CYCLE_OPENED"));
  EXPECT_THAT(php, HasSubstr("feed: 3 notifications, cursor 3"));
  EXPECT_THAT(portal(1), HasSubstr("feed 4  "));

  // The public portal shows the same results (tests/web/portal_browser_test.mjs).
  std::string browser;
  EXPECT_EQ(
      it::PortalBrowserTest(dir, http, "results", "simulasi-2025", {"--awarded", "355", "--total", "514"}, &browser), 0)
      << browser;
  EXPECT_THAT(browser, HasSubstr("portal results: ok"));
}

// The shape of a national deployment: four kla-server processes on ports
// fixed up front (each knows the others' addresses), one PostgreSQL
// database, rankings in Redis, services signed in with their own API keys.
class Deployment {
 public:
  void Start() {
    auto url = testing::PostgresHarness::Shared().CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    auto redis = testing::RedisHarness::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    for (const auto& s : kServices) {
      dirs_[s] = std::make_unique<testing::TempDir>();
      addrs_[s] = "127.0.0.1:" + std::to_string(testing::FreePort());
    }
    Launch("registry");
    it::LoginFirstAdmin(client(), address("registry"));
    for (const auto& s : kServices) {
      if (s == "registry") continue;
      std::string out;
      ASSERT_EQ(
          Klactl(client(), address("registry"),
                 {"accounts", "create", "svc." + s, "--role", "service", "--secret-file", dirs_[s]->path() + "/key"},
                 &out),
          0)
          << out;
      Launch(s);
    }
  }

  // The process of `service` (again, after a kill).
  void Launch(const std::string& service) {
    std::vector<std::string> args = {"--services", service, "--listen", addrs_[service], "--db", url_};
    for (const auto& s : kServices) args.insert(args.end(), {"--" + s + "-addr", addrs_[s]});
    if (service == "registry") args.insert(args.end(), {"--regions-dir", it::kSrc + "/data/regions"});
    if (service != "registry") args.insert(args.end(), {"--service-api-key-file", dirs_[service]->path() + "/key"});
    if (service == "scoring") args.insert(args.end(), {"--redis", redis_->address()});
    servers_[service] = std::make_unique<Server>(*dirs_[service], args);
  }

  void Kill(const std::string& service) {
    servers_[service]->process().Signal(SIGKILL);
    servers_[service]->process().Wait();
  }

  std::string address(const std::string& service) { return addrs_[service]; }
  // klactl's folder (the first admin's token).
  const testing::TempDir& client() { return *dirs_["registry"]; }
  std::vector<std::string> AddressFlags() {
    std::vector<std::string> out;
    for (const auto& s : kServices) out.insert(out.end(), {"--" + s + "-addr", addrs_[s]});
    return out;
  }
  std::string Logs() {
    std::string all;
    for (const auto& s : kServices) absl::StrAppend(&all, "==== ", s, "\n", servers_[s]->log());
    return all;
  }

 private:
  std::string url_;
  std::unique_ptr<testing::RedisHarness> redis_;
  std::map<std::string, std::unique_ptr<testing::TempDir>> dirs_;
  std::map<std::string, std::string> addrs_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
};

TEST(NationalCycleTest, OneProcessPerServiceOnPostgresAndRedis) {
  Deployment d;
  d.Start();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  std::string out;
  ASSERT_EQ(Simulate(d.client(), d.address("registry"), d.AddressFlags(), &out), 0) << out << d.Logs();
  ExpectTheNationalResult(out);
}

TEST(NationalCycleTest, SurvivesServiceProcessesKilledAtRandomMoments) {
  Deployment d;
  d.Start();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  // The chaos driver: every few seconds one service process, chosen at
  // random, is SIGKILLed and started again on the same address and data.
  std::atomic<bool> stop{false};
  std::atomic<int> kills{0};
  std::map<std::string, int> killed;
  std::thread driver([&] {
    std::mt19937 rng(7);
    while (!stop) {
      const int pause_ms = 2000 + static_cast<int>(rng() % 4000);
      for (int waited = 0; waited < pause_ms && !stop; waited += 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (stop) break;
      const std::string& victim = kServices[rng() % kServices.size()];
      d.Kill(victim);
      d.Launch(victim);
      ++killed[victim];
      ++kills;
    }
  });
  std::string out;
  std::vector<std::string> args = d.AddressFlags();
  args.insert(args.end(), {"--retry-budget", "3m"});
  const int rc = Simulate(d.client(), d.address("registry"), args, &out);
  stop = true;
  driver.join();
  ASSERT_EQ(rc, 0) << out << d.Logs();
  ExpectTheNationalResult(out);
  EXPECT_GE(kills, 5) << "the run was too short for the driver";
  std::cout << "processes killed and restarted: " << kills;
  for (const auto& [service, n] : killed) std::cout << " " << service << "=" << n;
  std::cout << "\n" << out.substr(out.find("Hasil nasional")) << std::endl;
  RecordProperty("kills", kills);
  for (const auto& [service, n] : killed) RecordProperty("kills_" + service, n);
}

}  // namespace
}  // namespace kla
