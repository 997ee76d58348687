// In-process server tests: the whole suite on SQLite; events delivered to
// the notification service's inbox as submission and scoring send them; an
// agency's system subscribes, receives signed webhooks on a local receiver,
// and follows the Watch feed, resuming from its cursor.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/kernel/time.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "libs/webhook/http_receiver.h"
#include "libs/webhook/signature.h"
#include "services/notification/notification_module.h"
#include "services/registry/testing/cycles.h"
#include "services/server/testing/in_process_suite.h"

namespace kla::notification {
namespace {

using ::testing::HasSubstr;

class NotificationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto suite = testing::InProcessSuite::Start({.webhook_allow_cidr = "127.0.0.1/32", .clock = clock_});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    tokens_ = std::make_unique<testing::TestTokens>(&suite_->suite().verifier(), clock_);
    channel_ = suite_->channel();
    stub_ = v1::NotificationService::NewStub(channel_);
    auto receiver = webhook::HttpReceiver::Start();
    ASSERT_TRUE(receiver.ok());
    receiver_ = std::move(*receiver);
  }

  std::unique_ptr<grpc::ClientContext> Bps() {
    return testing::AuthedContext(tokens_->For(testing::TestTokens::Of(auth::Role::kIntegration, "bps.integrasi")));
  }

  void Returned(const std::string& event_id, const std::string& region) {
    submission::v1::SubmissionReturned r;
    r.set_cycle_id("2025");
    r.set_region_code(region);
    r.mutable_notice()->set_stage(type::v1::STAGE_PROVINCIAL_VERIFICATION);
    auto* item = r.mutable_notice()->add_items();
    item->set_item_id("2.1");
    item->set_reason("Lampirkan SK");
    event::v1::DeliverRequest req;
    req.mutable_event()->set_event_id(event_id);
    req.mutable_event()->set_source("submission");
    req.mutable_event()->set_target("notification");
    req.mutable_event()->mutable_payload()->PackFrom(r);
    event::v1::DeliverResponse resp;
    ASSERT_TRUE(event::v1::EventInbox::NewStub(channel_)
                    ->Deliver(testing::AuthedContext(
                                  tokens_->For(testing::TestTokens::Of(auth::Role::kService, "svc.submission")))
                                  .get(),
                              req, &resp)
                    .ok());
  }

  // Creates, uploads the illustrative rulebook and opens cycle 2026 whose
  // phase i (0 = self-evaluation) runs from day 20i-1 to day 20i+10 after
  // `now`.
  void OpenCycle2026(absl::Time now) {
    auto made = testing::CreateCycleOnDefaultRulebook(
        channel_, tokens_->Admin(), "2026",
        [&](int i) {
          return std::make_pair(now + absl::Hours(24 * (20 * i - 1)), now + absl::Hours(24 * (20 * i + 10)));
        },
        now + absl::Hours(24 * 200), /*advance=*/1);
    ASSERT_TRUE(made.ok()) << made.status();
  }

  const Clock* clock_ = SystemClock::Get();
  std::unique_ptr<testing::InProcessSuite> suite_;
  std::unique_ptr<testing::TestTokens> tokens_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NotificationService::Stub> stub_;
  std::unique_ptr<webhook::HttpReceiver> receiver_;
};

TEST_F(NotificationServiceTest, AnAgencySubscribesAndReceivesSignedWebhooks) {
  v1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_url("http://169.254.169.254/latest");
  v1::CreateSubscriptionResponse created;
  grpc::Status s = stub_->CreateSubscription(Bps().get(), create, &created);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("invalid subscription"));
  create.mutable_subscription()->set_url(receiver_->Url("/kla"));
  create.mutable_subscription()->add_region_codes("35");
  create.set_request_id("bps-1");
  ASSERT_TRUE(stub_->CreateSubscription(Bps().get(), create, &created).ok());
  EXPECT_EQ(created.secret().rfind("whsec_", 0), 0u);
  // Operators may not subscribe.
  EXPECT_EQ(stub_
                ->CreateSubscription(testing::AuthedContext(tokens_->For(testing::TestTokens::Operator("35.72"))).get(),
                                     create, &created)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  Returned("e-1", "35.72");
  Returned("e-2", "11.01");  // Aceh: filtered out
  ASSERT_TRUE(receiver_->WaitForRequests(1, absl::Seconds(20)));
  const auto got = receiver_->requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(webhook::Verify({created.secret()}, got[0].headers.at("webhook-id"),
                              got[0].headers.at("webhook-timestamp"), got[0].body,
                              got[0].headers.at("webhook-signature"), absl::Now()));
  EXPECT_THAT(got[0].body, HasSubstr("Evaluasi Kota Blitar dikembalikan oleh verifikasi provinsi"));

  v1::ListDeliveriesRequest list;
  list.set_subscription_id(created.subscription().subscription_id());
  v1::ListDeliveriesResponse log;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        log.Clear();
        return stub_->ListDeliveries(Bps().get(), list, &log).ok() && log.deliveries_size() == 1 &&
               log.deliveries(0).state() == v1::DELIVERY_STATE_DELIVERED;
      },
      20000));
  EXPECT_EQ(log.deliveries(0).attempts(0).http_status(), 200);
}

TEST_F(NotificationServiceTest, TheFeedResumesFromItsCursorWithoutGapsOrReordering) {
  for (int i = 0; i < 5; ++i) Returned(absl::StrCat("e-", i), i % 2 == 0 ? "35.72" : "35.05");
  v1::WatchRequest req;
  req.set_language("en");
  auto ctx = Bps();
  auto stream = stub_->Watch(ctx.get(), req);
  std::vector<int64_t> seen;
  v1::Notification n;
  while (seen.size() < 3 && stream->Read(&n)) seen.push_back(n.sequence());
  ctx->TryCancel();  // the agency's process stops
  EXPECT_THAT(n.text().body(), HasSubstr("was returned by provincial verification"));
  // It comes back and resumes after the last sequence it stored.
  req.set_after_sequence(seen.back());
  auto ctx2 = Bps();
  auto resumed = stub_->Watch(ctx2.get(), req);
  Returned("e-5", "35.72");  // a new one while watching
  while (seen.size() < 6 && resumed->Read(&n)) seen.push_back(n.sequence());
  ctx2->TryCancel();
  EXPECT_THAT(seen, ::testing::ElementsAre(1, 2, 3, 4, 5, 6));
  // Filtered: only Kabupaten Blitar.
  req.set_after_sequence(0);
  req.add_region_codes("35.05");
  auto ctx3 = Bps();
  auto filtered = stub_->Watch(ctx3.get(), req);
  ASSERT_TRUE(filtered->Read(&n));
  EXPECT_EQ(n.region().code(), "35.05");
  EXPECT_EQ(n.sequence(), 2);
  ctx3->TryCancel();
  req.set_language("jv");
  auto ctx4 = Bps();
  auto bad = stub_->Watch(ctx4.get(), req);
  EXPECT_FALSE(bad->Read(&n));
  EXPECT_EQ(bad->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(NotificationServiceTest, ACycleOpeningIsAnnouncedWithItsDeadline) {
  v1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_url(receiver_->Url("/kla"));
  create.mutable_subscription()->add_event_types(v1::EVENT_TYPE_CYCLE_OPENED);
  v1::CreateSubscriptionResponse created;
  ASSERT_TRUE(stub_->CreateSubscription(Bps().get(), create, &created).ok());

  OpenCycle2026(absl::Now());
  // Through the registry's outbox to notification, then to the receiver.
  ASSERT_TRUE(receiver_->WaitForRequests(1, absl::Seconds(20)));
  EXPECT_THAT(receiver_->requests()[0].body, HasSubstr("Evaluasi KLA 2026 dibuka untuk evaluasi mandiri"));
  EXPECT_THAT(receiver_->requests()[0].body, HasSubstr("EVENT_TYPE_CYCLE_OPENED"));
}

// The same suite on a clock the test moves: reminders before the
// self-evaluation closes.
class ReminderTest : public NotificationServiceTest {
 protected:
  ReminderTest() { clock_ = &fake_; }
  NotificationModule* Module() {
    for (const auto& m : suite_->suite().modules()) {
      if (auto* n = dynamic_cast<NotificationModule*>(m.get())) return n;
    }
    return nullptr;
  }
  FakeClock fake_{absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()))};
};

TEST_F(ReminderTest, RegionsThatHaveNotSubmittedAreRemindedBeforeTheSelfEvaluationCloses) {
  v1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_url(receiver_->Url("/kla"));
  create.mutable_subscription()->add_event_types(v1::EVENT_TYPE_STAGE_CLOSING_SOON);
  create.mutable_subscription()->add_region_codes("35");  // Jawa Timur: 38 kabupaten/kota
  v1::CreateSubscriptionResponse created;
  ASSERT_TRUE(stub_->CreateSubscription(Bps().get(), create, &created).ok());
  const absl::Time start = fake_.Now();
  OpenCycle2026(start);
  const absl::Time close = start + absl::Hours(24 * 10);
  // Kota Blitar has two more days.
  registry::v1::GrantExtensionRequest grant;
  grant.set_request_id("perpanjangan-35.72");
  grant.mutable_extension()->set_cycle_id("2026");
  grant.mutable_extension()->set_region_code("35.72");
  grant.mutable_extension()->set_phase(registry::v1::CYCLE_PHASE_SELF_EVALUATION);
  *grant.mutable_extension()->mutable_close_time() = ToProtoTime(close + absl::Hours(48));
  grant.mutable_extension()->set_reason("Tambahan 2x24 jam untuk mengunggah data dukung");
  registry::v1::GrantExtensionResponse granted;
  ASSERT_TRUE(registry::v1::RegistryService::NewStub(channel_)
                  ->GrantExtension(testing::AuthedContext(tokens_->Admin()).get(), grant, &granted)
                  .ok());
  NotificationModule* module = Module();
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->RunReminders().value(), 0) << "ten days to go";

  // Seven days before: every kabupaten/kota but Kota Blitar (nine days left).
  fake_.Set(close - absl::Hours(24 * 7));
  EXPECT_EQ(module->RunReminders().value(), 513);
  EXPECT_EQ(module->RunReminders().value(), 0);
  ASSERT_TRUE(receiver_->WaitForRequests(37, absl::Seconds(30)));
  bool surabaya = false;
  for (const auto& r : receiver_->requests()) {
    EXPECT_THAT(r.body, HasSubstr("EVENT_TYPE_STAGE_CLOSING_SOON"));
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("Kota Blitar")));
    if (r.body.find("Kota Surabaya") != std::string::npos) {
      surabaya = true;
      EXPECT_THAT(r.body, HasSubstr("Pengingat: evaluasi mandiri KLA 2026 untuk Kota Surabaya ditutup pada "));
      EXPECT_THAT(r.body, HasSubstr("7 hari lagi, dan evaluasinya belum dikirim (0 dari "));
    }
  }
  EXPECT_TRUE(surabaya);

  // After the others closed, Kota Blitar's own last day.
  fake_.Set(close + absl::Hours(24) + absl::Minutes(1));
  EXPECT_EQ(module->RunReminders().value(), 1);
  ASSERT_TRUE(receiver_->WaitForRequests(38, absl::Seconds(30)));
  EXPECT_THAT(receiver_->requests().back().body, HasSubstr("untuk Kota Blitar ditutup pada "));
  EXPECT_THAT(receiver_->requests().back().body, HasSubstr("1 hari lagi"));
}

}  // namespace
}  // namespace kla::notification
