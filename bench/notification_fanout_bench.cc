// Award fan-out benchmark (not a test): 514 award announcements to 50
// webhook endpoints (one local receiver, 50 paths) through the real
// notification service — events into its inbox, frozen bodies, signatures,
// the delivery log — next to plain HTTP POSTs of the same bodies to the same
// receiver from the same number of threads, measured in the same run.
//
//   build/bench/kla_notification_fanout_bench [--endpoints 50] [--regions 514]

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/scoring/v1/events.pb.h"
#include "libs/common/clock.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "libs/webhook/http_receiver.h"
#include "libs/webhook/http_sender.h"
#include "services/server/suite.h"

namespace kla {
namespace {

struct Flags {
  int endpoints = 50;
  int regions = 514;
};

int Run(const Flags& flags) {
  testing::TempDir dir;
  SystemClock clock;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db = "sqlite:" + dir.path() + "/{service}.db";
  config.evidence_dir = dir.path() + "/evidence";
  config.regions_dir = testing::SourcePath("data/regions");
  config.webhook_allow_cidr = "127.0.0.1/32";  // the bench's receiver
  auto suite = server::Suite::Create(config, &clock);
  if (!suite.ok() || !(*suite)->Start().ok()) {
    std::cerr << "cannot start the suite: " << suite.status() << "\n";
    return 1;
  }
  auto receiver = webhook::HttpReceiver::Start();
  if (!receiver.ok()) return 1;
  testing::TestTokens tokens(&(*suite)->verifier(), &clock);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string((*suite)->port()), grpc::InsecureChannelCredentials());
  auto notifications = notification::v1::NotificationService::NewStub(channel);
  const std::string agency = tokens.For(testing::TestTokens::Of(auth::Role::kIntegration, "bench"));
  for (int e = 0; e < flags.endpoints; ++e) {
    notification::v1::CreateSubscriptionRequest req;
    req.mutable_subscription()->set_url((*receiver)->Url(absl::StrCat("/agency-", e)));
    req.set_request_id(absl::StrCat("bench-", e));
    notification::v1::CreateSubscriptionResponse resp;
    if (!notifications->CreateSubscription(testing::AuthedContext(agency).get(), req, &resp).ok()) return 1;
  }

  // 514 awards, as the scoring service sends them at final publication.
  auto inbox = event::v1::EventInbox::NewStub(channel);
  const std::string service = tokens.For(testing::TestTokens::Of(auth::Role::kService, "svc.scoring"));
  const absl::Time start = absl::Now();
  for (int r = 0; r < flags.regions; ++r) {
    scoring::v1::AwardAnnounced a;
    a.set_cycle_id("2025");
    a.set_cycle_name("Evaluasi KLA 2025");
    a.mutable_result()->mutable_region()->set_code(absl::StrFormat("%02d.%02d", 11 + r / 99, r % 99 + 1));
    a.mutable_result()->mutable_region()->set_name(absl::StrCat("Kabupaten ", r));
    a.mutable_result()->mutable_total()->set_hundredths(50000 + r * 80);
    a.mutable_result()->set_predicate(type::v1::PREDICATE_PRATAMA);
    event::v1::DeliverRequest req;
    req.mutable_event()->set_event_id(absl::StrCat("award-", r));
    req.mutable_event()->set_source("scoring");
    req.mutable_event()->set_target("notification");
    req.mutable_event()->mutable_payload()->PackFrom(a);
    event::v1::DeliverResponse resp;
    grpc::Status s = inbox->Deliver(testing::AuthedContext(service).get(), req, &resp);
    if (!s.ok()) {
      std::cerr << "deliver: " << s.error_message() << "\n";
      return 1;
    }
  }
  const double accept_s = absl::ToDoubleSeconds(absl::Now() - start);
  const size_t total = static_cast<size_t>(flags.regions) * static_cast<size_t>(flags.endpoints);
  const bool all = (*receiver)->WaitForRequests(total, absl::Minutes(10));
  const double service_s = absl::ToDoubleSeconds(absl::Now() - start);
  const auto received = (*receiver)->requests();
  (*suite)->Shutdown();

  // The same bodies, posted plainly from 16 threads (the worker's parallelism).
  std::vector<std::string> bodies;
  bodies.reserve(std::min<size_t>(received.size(), total));
  for (size_t i = 0; i < received.size() && i < total; ++i) bodies.push_back(received[i].body);
  auto plain_receiver = webhook::HttpReceiver::Start();
  if (!plain_receiver.ok()) return 1;
  const auto loopback = webhook::AddressPolicy::Create({"127.0.0.1/32"});
  webhook::CurlHttpSender sender(&*loopback);
  std::atomic<size_t> next{0};
  const absl::Time plain_start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < bodies.size(); i = next++) {
        (void)sender.Post((*plain_receiver)->Url("/plain"), {{"content-type", "application/json"}}, bodies[i],
                          absl::Seconds(10));
      }
    });
  }
  for (auto& t : threads) t.join();
  const double plain_s = absl::ToDoubleSeconds(absl::Now() - plain_start);

  std::cout << absl::StrFormat(
      "Award fan-out: %d awards x %d endpoints = %d deliveries (one local receiver)\n"
      "  service:     %7.2f s  %8.0f deliveries/s  (events accepted and fanned out in %.2f s)%s\n"
      "  plain POSTs: %7.2f s  %8.0f POSTs/s      (same bodies, 16 threads, no service)\n"
      "  ratio service / plain: %.2f\n",
      flags.regions, flags.endpoints, total, service_s, static_cast<double>(received.size()) / service_s, accept_s,
      all ? "" : "  INCOMPLETE", plain_s, static_cast<double>(bodies.size()) / plain_s, service_s / plain_s);
  return all ? 0 : 1;
}

}  // namespace
}  // namespace kla

int main(int argc, char** argv) {
  kla::Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--endpoints") flags.endpoints = std::atoi(argv[i + 1]);
    if (k == "--regions") flags.regions = std::atoi(argv[i + 1]);
  }
  return kla::Run(flags);
}
