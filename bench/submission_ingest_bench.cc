// National ingest benchmark (not a test): all 514 kabupaten/kota save their
// whole instrument concurrently through the real submission service (gRPC,
// tokens, guard, etags, request ids, audit trail, SQLite), 64 clients, the
// instrument in batches as OPD contributors send it. Reported next to plain
// SQLite inserts of the same answer rows measured in the same run.
//
//   build/bench/kla_submission_ingest_bench [--clients 64] [--batch 20] [--db sqlite|postgres://...]

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/load.h"
#include "google/protobuf/util/time_util.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/server/suite.h"

namespace kla {
namespace {

namespace regv1 = registry::v1;
namespace subv1 = submission::v1;
using google::protobuf::util::TimeUtil;

struct Flags {
  int clients = 64;
  size_t batch = 20;
  std::string db = "sqlite";
};

subv1::AnswerValue ValueFor(const regv1::ItemRule& item, int salt) {
  subv1::AnswerValue v;
  switch (item.type()) {
    case regv1::ITEM_TYPE_BOOLEAN:
      v.set_boolean(salt % 3 != 0);
      break;
    case regv1::ITEM_TYPE_CHOICE:
      v.set_choice(item.options(salt % item.options_size()).id());
      break;
    case regv1::ITEM_TYPE_PERCENT:
      v.set_percent_hundredths(5000 + salt % 5000);
      break;
    case regv1::ITEM_TYPE_COUNT:
      v.set_count(salt % 40);
      break;
    default:
      v.set_text("Tersedia; dokumen di data dukung");
  }
  return v;
}

using bench::Percentile;

// The same rows, written the plainest way SQLite allows: one transaction per
// batch, a prepared INSERT per answer, the storage layer's pragmas.
double PlainSqliteSeconds(const std::string& path, const std::vector<std::string>& regions,
                          const std::vector<std::vector<subv1::Answer>>& batches) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE answers (cycle_id TEXT, region_code TEXT, item_id TEXT, value BLOB,"
               " PRIMARY KEY (cycle_id, region_code, item_id));",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO answers VALUES ('2025', ?, ?, ?)", -1, &insert, nullptr);
  const absl::Time start = absl::Now();
  for (const auto& region : regions) {
    for (const auto& batch : batches) {
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      for (const auto& a : batch) {
        const std::string value = a.value().SerializeAsString();
        sqlite3_bind_text(insert, 1, region.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, a.item_id().c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(insert, 3, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        sqlite3_step(insert);
        sqlite3_reset(insert);
      }
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

int Run(const Flags& flags) {
  testing::TempDir dir;
  SystemClock clock;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db = flags.db == "sqlite" ? "sqlite:" + dir.path() + "/{service}.db" : flags.db;
  config.evidence_dir = dir.path() + "/evidence";
  config.regions_dir = testing::SourcePath("data/regions");
  auto suite = server::Suite::Create(config, &clock);
  if (!suite.ok() || !(*suite)->Start().ok()) {
    std::cerr << "cannot start the suite: " << suite.status() << "\n";
    return 1;
  }
  testing::TestTokens tokens(&(*suite)->verifier(), &clock);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string((*suite)->port()), grpc::InsecureChannelCredentials());
  auto registry = regv1::RegistryService::NewStub(channel);

  const absl::Time now = absl::Now();
  auto made = testing::CreateCycleOnDefaultRulebook(
      channel, tokens.Admin(), "2025",
      [&](int i) {
        return std::make_pair(now + absl::Hours(24 * (20 * i - 1)), now + absl::Hours(24 * (20 * i + 10)));
      },
      now + absl::Hours(24 * 200));
  if (!made.ok()) {
    std::cerr << "cycle: " << made.status() << "\n";
    return 1;
  }
  const regv1::Rulebook& rulebook = made->rulebook;

  std::vector<std::string> regions;
  regv1::ListRegionsRequest lr;
  lr.set_page_size(1000);
  do {
    regv1::ListRegionsResponse page;
    if (!registry->ListRegions(testing::AuthedContext(tokens.Admin()).get(), lr, &page).ok()) return 1;
    for (const auto& r : page.regions()) regions.push_back(r.code());
    lr.set_page_token(page.next_page_token());
  } while (!lr.page_token().empty());

  // The instrument in batches, as the OPDs send their parts.
  std::vector<std::vector<subv1::Answer>> batches(1);
  int answers_per_region = 0;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) {
      if (batches.back().size() == flags.batch) batches.emplace_back();
      subv1::Answer a;
      a.set_item_id(item.id());
      *a.mutable_value() = ValueFor(item, answers_per_region);
      batches.back().push_back(a);
      ++answers_per_region;
    }
  }
  std::vector<std::string> region_tokens;
  region_tokens.reserve(regions.size());
  for (const auto& r : regions) region_tokens.push_back(tokens.For(testing::TestTokens::Operator(r)));

  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  const absl::Time start = absl::Now();
  std::vector<std::thread> clients;
  clients.reserve(static_cast<size_t>(flags.clients));
  for (int t = 0; t < flags.clients; ++t) {
    clients.emplace_back([&] {
      auto stub = subv1::SubmissionService::NewStub(
          grpc::CreateChannel("127.0.0.1:" + std::to_string((*suite)->port()), grpc::InsecureChannelCredentials()));
      std::vector<double> mine;
      for (size_t i = next++; i < regions.size(); i = next++) {
        std::string etag;
        for (size_t b = 0; b < batches.size(); ++b) {
          subv1::SaveAnswersRequest req;
          req.set_request_id(absl::StrCat("bench-", regions[i], "-", b));
          req.set_cycle_id("2025");
          req.set_region_code(regions[i]);
          req.set_etag(etag);
          for (const auto& a : batches[b]) *req.add_answers() = a;
          subv1::SaveAnswersResponse resp;
          auto ctx = testing::AuthedContext(region_tokens[i]);
          ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
          const absl::Time t0 = absl::Now();
          grpc::Status st = stub->SaveAnswers(ctx.get(), req, &resp);
          mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
          if (!st.ok()) {
            if (failures++ < 3) std::cerr << regions[i] << ": " << st.error_message() << "\n";
            break;
          }
          etag = resp.submission().etag();
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  const double service_s = absl::ToDoubleSeconds(absl::Now() - start);
  (*suite)->Shutdown();

  const double plain_s = PlainSqliteSeconds(dir.path() + "/plain.db", regions, batches);
  const double answers = static_cast<double>(regions.size()) * answers_per_region;
  std::cout << absl::StrFormat(
      "National ingest: %d regions x %d answers (%d saves of <= %d), %d clients, %s\n"
      "  service:      %8.2f s  %9.0f answers/s  save p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  failures %d\n"
      "  plain SQLite: %8.2f s  %9.0f answers/s  (same rows and batches, one writer, no service)\n"
      "  ratio service / plain: %.2f (aim: < 3)\n",
      regions.size(), answers_per_region, batches.size(), flags.batch, flags.clients,
      flags.db == "sqlite" ? "SQLite" : "PostgreSQL", service_s, answers / service_s, Percentile(latencies_ms, 0.50),
      Percentile(latencies_ms, 0.99), Percentile(latencies_ms, 1.0), failures.load(), plain_s, answers / plain_s,
      service_s / plain_s);
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kla

int main(int argc, char** argv) {
  kla::Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--clients") flags.clients = std::atoi(argv[i + 1]);
    if (k == "--batch") flags.batch = static_cast<size_t>(std::atoi(argv[i + 1]));
    if (k == "--db") flags.db = argv[i + 1];
  }
  return kla::Run(flags);
}
