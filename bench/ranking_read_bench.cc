// Ranking read benchmark (not a test): the public reading published final
// results of all 514 kabupaten/kota through the real scoring service (gRPC,
// guard, publications, snapshots served from memory with Redis as the
// shared layer), next to a plain echo RPC (gRPC health Check) on the same
// server, measured in the same run: top 20 nationally, one province, one
// region's rank; and the top 20 over HTTP/JSON (the gateway, in process)
// next to the same call over gRPC.
//
//   build/bench/kla_ranking_read_bench [--clients 16] [--seconds 3] [--top 20] [--no-redis]

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/load.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/clock.h"
#include "libs/testing/auth.h"
#include "libs/testing/postgres_harness.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/server/suite.h"

namespace kla {
namespace {

namespace regv1 = registry::v1;
namespace scv1 = scoring::v1;
using google::protobuf::util::TimeUtil;

struct Flags {
  int clients = 16;
  int seconds = 3;
  int top = 20;
  bool redis = true;
};

using bench::LoadResult;

LoadResult Measure(const std::string& address, const Flags& flags,
                   const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)>& call) {
  return bench::Measure(address, flags.clients, flags.seconds, call);
}

std::unique_ptr<grpc::ClientContext> Deadline() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

int Run(const Flags& flags) {
  testing::TempDir dir;
  std::unique_ptr<testing::RedisHarness> redis;
  SystemClock clock;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db = "sqlite:" + dir.path() + "/{service}.db";
  config.evidence_dir = dir.path() + "/evidence";
  config.regions_dir = testing::SourcePath("data/regions");
  config.http_listen = "127.0.0.1:0";  // the same reads over HTTP/JSON
  if (flags.redis) {
    auto r = testing::RedisHarness::Start();
    if (!r.ok()) {
      std::cerr << "cannot start redis: " << r.status() << "\n";
      return 1;
    }
    redis = std::move(*r);
    config.redis = redis->address();
  }
  auto suite = server::Suite::Create(config, &clock);
  if (!suite.ok() || !(*suite)->Start().ok()) {
    std::cerr << "cannot start the suite: " << suite.status() << "\n";
    return 1;
  }
  const std::string address = "127.0.0.1:" + std::to_string((*suite)->port());
  testing::TestTokens tokens(&(*suite)->verifier(), &clock);
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto registry = regv1::RegistryService::NewStub(channel);

  // A cycle whose phases are over, final results announced yesterday.
  const absl::Time now = absl::Now();
  auto made = testing::CreateCycleOnDefaultRulebook(
      channel, tokens.Admin(), "2025",
      [&](int i) { return std::make_pair(now - absl::Hours(24 * (60 - 5 * i)), now - absl::Hours(24 * (57 - 5 * i))); },
      now - absl::Hours(24), /*advance=*/6);
  if (!made.ok()) {
    std::cerr << "cycle: " << made.status() << "\n";
    return 1;
  }
  const regv1::Rulebook& rulebook = made->rulebook;
  grpc::Status s;

  // Every region's final answers, as the submission service sends them.
  std::vector<std::string> regions;
  regv1::ListRegionsRequest lr;
  lr.set_page_size(1000);
  do {
    regv1::ListRegionsResponse page;
    if (!registry->ListRegions(testing::AuthedContext(tokens.Admin()).get(), lr, &page).ok()) return 1;
    for (const auto& r : page.regions()) regions.push_back(r.code());
    lr.set_page_token(page.next_page_token());
  } while (!lr.page_token().empty());
  auto inbox = event::v1::EventInbox::NewStub(channel);
  const std::string service = tokens.For(testing::TestTokens::Of(auth::Role::kService, "svc.submission"));
  for (size_t r = 0; r < regions.size(); ++r) {
    submission::v1::StageAnswersChanged changed;
    auto* a = changed.mutable_answers();
    a->set_cycle_id("2025");
    a->set_region_code(regions[r]);
    a->set_stage(type::v1::STAGE_FINAL_VERIFICATION);
    a->set_rulebook_version(rulebook.version());
    a->set_revision(1);
    int n = 0;
    for (const auto& ind : rulebook.indicators()) {
      for (const auto& item : ind.items()) {
        auto* x = a->add_answers();
        x->set_item_id(item.id());
        x->add_evidence_ids("ev");
        // Shaped so that totals spread over every band, with ties.
        if (item.type() == regv1::ITEM_TYPE_BOOLEAN) x->mutable_value()->set_boolean((r * 7 + n++) % 10 < 7);
        if (item.type() == regv1::ITEM_TYPE_CHOICE)
          x->mutable_value()->set_choice(item.options(r % item.options_size()).id());
        if (item.type() == regv1::ITEM_TYPE_PERCENT) x->mutable_value()->set_percent_hundredths(5000 + (r * 13) % 5000);
        if (item.type() == regv1::ITEM_TYPE_COUNT) x->mutable_value()->set_count(static_cast<int64_t>(r % 9));
      }
    }
    event::v1::DeliverRequest req;
    auto* e = req.mutable_event();
    e->set_event_id(absl::StrCat("bench-", regions[r]));
    e->set_source("submission");
    e->set_target("scoring");
    e->mutable_payload()->PackFrom(changed);
    event::v1::DeliverResponse resp;
    s = inbox->Deliver(testing::AuthedContext(service).get(), req, &resp);
    if (!s.ok()) {
      std::cerr << "deliver: " << s.error_message() << "\n";
      return 1;
    }
  }
  auto scoring = scv1::ScoringService::NewStub(channel);
  scv1::PublishResultsRequest pub;
  pub.set_cycle_id("2025");
  pub.set_kind(scv1::PUBLICATION_KIND_FINAL);
  scv1::PublishResultsResponse published;
  s = scoring->PublishResults(testing::AuthedContext(tokens.Admin()).get(), pub, &published);
  if (!s.ok()) {
    std::cerr << "publish: " << s.error_message() << "\n";
    return 1;
  }

  auto health_check = [](const std::shared_ptr<grpc::Channel>& ch) {
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return grpc::health::v1::Health::NewStub(ch)->Check(Deadline().get(), req, &resp);
  };
  auto ranking = [&](const std::string& province, int size) {
    return [province, size](const std::shared_ptr<grpc::Channel>& ch) {
      scv1::GetRankingRequest req;
      req.set_cycle_id("2025");
      req.set_province_code(province);
      req.set_page_size(size);
      scv1::GetRankingResponse resp;
      return scv1::ScoringService::NewStub(ch)->GetRanking(Deadline().get(), req, &resp);
    };
  };
  auto rank = [](const std::shared_ptr<grpc::Channel>& ch) {
    scv1::GetRegionRankRequest req;
    req.set_cycle_id("2025");
    req.set_region_code("35.72");
    scv1::GetRegionRankResponse resp;
    return scv1::ScoringService::NewStub(ch)->GetRegionRank(Deadline().get(), req, &resp);
  };
  const LoadResult echo = Measure(address, flags, health_check);
  const LoadResult top = Measure(address, flags, ranking("", flags.top));
  const LoadResult province = Measure(address, flags, ranking("35", 50));
  const LoadResult own = Measure(address, flags, rank);
  const LoadResult http_top = bench::MeasureHttp((*suite)->http_port(), flags.clients, flags.seconds,
                                                 absl::StrCat("/v1/cycles/2025/ranking?pageSize=", flags.top));
  (*suite)->Shutdown();

  std::cout << absl::StrFormat(
      "Ranking reads: %d regions ranked, final results read by the public, %d clients, %d s each, Redis %s\n",
      published.publication().ranked_count(), flags.clients, flags.seconds, flags.redis ? "on" : "off");
  auto line = [&](const char* what, const LoadResult& r) {
    std::cout << absl::StrFormat("  %-28s %9.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  %5.1f %% of echo  failures %d\n",
                                 what, r.rps, r.p50_ms, r.p99_ms, 100.0 * r.rps / echo.rps, r.failures);
  };
  line("echo (health Check)", echo);
  line(absl::StrCat("top ", flags.top, " nationally").c_str(), top);
  line("one province (Jawa Timur)", province);
  line("one region's rank (35.72)", own);
  std::cout << "  (aim: every ranking read within 80 % of the echo's throughput)\n";
  line(absl::StrCat("top ", flags.top, " over HTTP/JSON").c_str(), http_top);
  std::cout << absl::StrFormat("  HTTP/JSON top %d: %.1f %% of the same call over gRPC (aim: at least 60 %%)\n",
                               flags.top, 100.0 * http_top.rps / top.rps);
  return echo.failures + top.failures + province.failures + own.failures + http_top.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kla

int main(int argc, char** argv) {
  kla::Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--clients" && i + 1 < argc) flags.clients = std::atoi(argv[++i]);
    if (k == "--seconds" && i + 1 < argc) flags.seconds = std::atoi(argv[++i]);
    if (k == "--top" && i + 1 < argc) flags.top = std::atoi(argv[++i]);
    if (k == "--no-redis") flags.redis = false;
  }
  return kla::Run(flags);
}
