// The real kla-server killed (SIGKILL) in the middle of a webhook fan-out
// and started again on the same data: every notification reaches every
// endpoint, a repeat only ever with the same webhook-id and the same bytes,
// every signature valid.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <regex>
#include <set>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "libs/webhook/http_receiver.h"
#include "libs/webhook/signature.h"
#include "tests/harness.h"

namespace kla {
namespace {

using it::Klactl;
using it::Server;

constexpr int kEndpoints = 20;
constexpr int kRegencies = 514;

TEST(NotificationCrashTest, KilledMidFanOutAndRestartedEveryWebhookArrivesOnce) {
  testing::TempDir dir;
  auto receiver = webhook::HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  // A short POST deadline: deliveries the crash interrupted go again after
  // their lease (3x) lapses.
  const std::vector<std::string> args = {"--regions-dir", it::kSrc + "/data/regions", "--webhook-timeout", "1s"};
  auto server = std::make_unique<Server>(dir, args);
  it::LoginFirstAdmin(dir, server->address());
  std::string out;

  // Twenty endpoints (one path each) for the reminders, secrets noted.
  std::map<std::string, std::string> secret_of;  // path -> whsec_
  const std::regex secret("whsec_[A-Za-z0-9+/=]+");
  for (int i = 0; i < kEndpoints; ++i) {
    const std::string path = "/agency-" + std::to_string(i);
    ASSERT_EQ(
        Klactl(dir, server->address(),
               {"subscriptions", "create", "--url", (*receiver)->Url(path), "--type", "stage-closing-soon"}, &out),
        0)
        << out;
    // The subscription shows the secret's prefix; the whole secret follows.
    for (std::sregex_iterator m(out.begin(), out.end(), secret), end; m != end; ++m) {
      if (m->str().size() > secret_of[path].size()) secret_of[path] = m->str();
    }
    ASSERT_GT(secret_of[path].size(), 30u) << out;
  }

  // A cycle whose self-evaluation closes the day after tomorrow: once it
  // opens, every kabupaten/kota (none has submitted) is reminded.
  ASSERT_EQ(Klactl(dir, server->address(),
                   {"rulebook", "upload", it::kSrc + "/rulebooks/kla-2023-ilustratif.textproto"}, &out),
            0)
      << out;
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
  auto day = [&](int d) { return absl::FormatCivilTime(today + d); };
  ASSERT_EQ(Klactl(dir, server->address(),
                   {"cycle",
                    "create",
                    "--id",
                    "2026",
                    "--rulebook",
                    "2023.1-ilustratif",
                    "--self-evaluation",
                    day(-1) + "," + day(2),
                    "--provincial-verification",
                    day(3) + "," + day(10),
                    "--central-review",
                    day(11) + "," + day(20),
                    "--field-verification",
                    day(21) + "," + day(30),
                    "--objection",
                    day(31) + "," + day(40),
                    "--final-verification",
                    day(41) + "," + day(50),
                    "--announcement",
                    day(60)},
                   &out),
            0)
      << out;
  ASSERT_EQ(Klactl(dir, server->address(), {"cycle", "advance", "2026"}, &out), 0) << out;

  // Mid-fan-out: the receiver stops answering (deliveries in flight hang),
  // then the process is killed.
  const size_t total = static_cast<size_t>(kEndpoints) * kRegencies;
  ASSERT_TRUE((*receiver)->WaitForRequests(total / 5, absl::Seconds(120))) << server->log();
  (*receiver)->SetMode(webhook::HttpReceiver::Mode::kHang);
  server->process().Signal(SIGKILL);
  EXPECT_EQ(server->process().Wait(), 128 + SIGKILL);
  const size_t before = (*receiver)->requests().size();
  EXPECT_LT(before, total) << "the kill came after the fan-out";
  (*receiver)->SetMode(webhook::HttpReceiver::Mode::kAnswer);

  server = std::make_unique<Server>(dir, args);
  // Every (endpoint, message) pair answered 200 at least once.
  std::map<std::pair<std::string, std::string>, std::string> body_of;
  std::set<std::string> messages;
  size_t repeats = 0;
  size_t checked = 0;
  auto absorb = [&] {
    const auto requests = (*receiver)->requests();
    for (; checked < requests.size(); ++checked) {
      const auto& r = requests[checked];
      const std::string id = r.headers.at("webhook-id");
      ASSERT_TRUE(webhook::Verify({secret_of.at(r.path)}, id, r.headers.at("webhook-timestamp"), r.body,
                                  r.headers.at("webhook-signature"), absl::Now()))
          << r.path << " " << id;
      auto [it, fresh] = body_of.emplace(std::make_pair(r.path, id), r.body);
      if (!fresh) {
        ++repeats;
        EXPECT_EQ(it->second, r.body) << "a repeat of " << id << " with other bytes";
      }
      messages.insert(id);
    }
  };
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        absorb();
        return body_of.size() >= total;
      },
      120000))
      << body_of.size() << " of " << total << "\n"
      << server->log();
  absorb();
  EXPECT_EQ(body_of.size(), total);
  EXPECT_EQ(messages.size(), static_cast<size_t>(kRegencies)) << "one reminder per kabupaten/kota, not two";
  // Only what the killed pass had sent and not yet recorded comes twice
  // (a pass claims at most 16 x 8).
  EXPECT_LE(repeats, 128u);
  RecordProperty("answered_before_kill", static_cast<int>(before));
  RecordProperty("repeats", static_cast<int>(repeats));

  // The delivery log agrees: nothing pending or failed.
  ASSERT_EQ(Klactl(dir, server->address(), {"subscriptions", "list"}, &out), 0) << out;
  const std::string first = out.substr(out.find("sub_"), 36);
  ASSERT_EQ(Klactl(dir, server->address(), {"deliveries", first, "--state", "pending"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::Not(::testing::HasSubstr("msg_")));
  ASSERT_EQ(Klactl(dir, server->address(), {"deliveries", first, "--state", "delivered"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("stage-closing-soon"));
}

}  // namespace
}  // namespace kla
