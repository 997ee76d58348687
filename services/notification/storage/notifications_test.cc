// The notification domain on both SQL engines with a real HTTP receiver on
// loopback and an injected clock: texts, subscriptions, signed deliveries,
// retries on schedule, dead letters, disabling, replay, embargo, the feed,
// a receiver down or hanging, and a worker that dies mid-fan-out.

#include "services/notification/domain/notifications.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "kla/scoring/v1/events.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/errors.h"
#include "libs/kernel/time.h"
#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "libs/webhook/http_receiver.h"
#include "libs/webhook/signature.h"
#include "services/notification/storage/migrations.h"
#include "services/notification/storage/sql_notification_store.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using testing::Engine;
using ::testing::HasSubstr;

auth::Principal As(auth::Role role, std::string subject) {
  auth::Principal p;
  p.role = role;
  p.subject = std::move(subject);
  return p;
}
const auth::Principal kBps = As(auth::Role::kIntegration, "bps.integrasi");
const auth::Principal kAdmin = As(auth::Role::kNationalAdmin, "admin");

// Kota Blitar's award, embargoed until `until`.
event::v1::EventEnvelope Award(const std::string& id, absl::Time until, const std::string& code = "35.72",
                               const std::string& name = "Kota Blitar") {
  scoring::v1::AwardAnnounced a;
  a.set_cycle_id("2025");
  a.set_cycle_name("Evaluasi KLA 2025");
  a.mutable_result()->mutable_region()->set_code(code);
  a.mutable_result()->mutable_region()->set_name(name);
  a.mutable_result()->mutable_province()->set_code(code.substr(0, 2));
  a.mutable_result()->mutable_province()->set_name("Jawa Timur");
  a.mutable_result()->mutable_total()->set_hundredths(74250);
  a.mutable_result()->set_predicate(type::v1::PREDICATE_NINDYA);
  a.mutable_result()->set_rank(12);
  *a.mutable_embargo_until() = ToProtoTime(until);
  event::v1::EventEnvelope e;
  e.set_event_id(id);
  e.set_source("scoring");
  e.set_target("notification");
  e.mutable_payload()->PackFrom(a);
  return e;
}

event::v1::EventEnvelope Returned(const std::string& id, const std::string& code) {
  submission::v1::SubmissionReturned r;
  r.set_cycle_id("2025");
  r.set_region_code(code);
  r.mutable_notice()->set_stage(type::v1::STAGE_PROVINCIAL_VERIFICATION);
  auto* item = r.mutable_notice()->add_items();
  item->set_item_id("2.1");
  item->set_reason("Lampirkan SK Gugus Tugas yang berlaku");
  *r.mutable_notice()->mutable_deadline() = ToProtoTime(absl::FromUnixSeconds(1745168340));  // 2025-04-20 23:59 WIB
  event::v1::EventEnvelope e;
  e.set_event_id(id);
  e.set_source("submission");
  e.mutable_payload()->PackFrom(r);
  return e;
}

class NotificationsTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "notification");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "notification", NotificationMigrations()).ok());
    store_ = std::make_unique<SqlNotificationStore>(db_.get(), &clock_);
    auto templates = Templates::Parse(Templates::BuiltIn());
    ASSERT_TRUE(templates.ok()) << templates.status();
    templates_ = std::make_unique<Templates>(*templates);
    auto receiver = webhook::HttpReceiver::Start();
    ASSERT_TRUE(receiver.ok());
    receiver_ = std::move(*receiver);
    options_.timeout = absl::Milliseconds(500);
    options_.parallel = 4;
    options_.addresses = kLoopback;
    Build();
  }
  void Build() {
    notifications_ = std::make_unique<Notifications>(
        store_.get(), &sender_, templates_.get(),
        [] {
          return RegionNames{{"35.72", "Kota Blitar"}, {"35.05", "Kabupaten Blitar"}, {"35", "Jawa Timur"}};
        },
        &clock_, options_);
  }
  Notifications::Created Subscribe(const std::string& url, std::vector<std::string> regions = {},
                                   const std::string& language = "") {
    v1::Subscription s;
    s.set_url(url);
    for (auto& r : regions) s.add_region_codes(r);
    s.set_language(language);
    auto created = notifications_->CreateSubscription(s, "", kBps);
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlNotificationStore> store_;
  std::unique_ptr<Templates> templates_;
  std::unique_ptr<webhook::HttpReceiver> receiver_;
  // The test receivers are on loopback, which only an explicit range opens.
  const webhook::AddressPolicy kLoopback = *webhook::AddressPolicy::Create({"127.0.0.1/32"});
  webhook::CurlHttpSender sender_{&kLoopback};
  DeliveryOptions options_;
  std::unique_ptr<Notifications> notifications_;
};

TEST_P(NotificationsTest, AwardTextsInBothLanguagesWithIndonesianNumbers) {
  auto n = FromEvent(Award("e1", clock_.Now()), clock_.Now());
  ASSERT_TRUE(n.ok());
  const v1::Text id = templates_->Render(*n, "id", {});
  EXPECT_EQ(id.body(),
            "Selamat! Kota Blitar meraih predikat Kabupaten/Kota Layak Anak kategori Nindya tahun 2025 dengan nilai "
            "742,50.");
  EXPECT_THAT(templates_->Render(*n, "en", {}).body(), HasSubstr("with a score of 742.50"));
  auto r = FromEvent(Returned("e2", "35.72"), clock_.Now());
  EXPECT_THAT(templates_->Render(*r, "id", {{"35.72", "Kota Blitar"}}).body(),
              HasSubstr("Evaluasi Kota Blitar dikembalikan oleh verifikasi provinsi. Perbaiki butir berikut dan kirim "
                        "ulang sebelum 2025-04-20 23:59 WIB: 2.1 (Lampirkan SK Gugus Tugas yang berlaku)."));
  // Templates are checked when loaded.
  auto bad = Templates::Parse(R"pb(templates { type: EVENT_TYPE_AWARD_ANNOUNCED language: "id" body: "{wilayah}" })pb");
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_GE(GetFieldViolations(bad.status()).size(), 2u);  // unknown placeholder; missing templates
}

TEST_P(NotificationsTest, SubscriptionsCheckTheirAddressAndBelongToTheirOwner) {
  v1::Subscription s;
  s.set_url("http://169.254.169.254/latest/meta-data");
  s.add_region_codes("35-72");
  s.set_language("jv");
  auto bad = notifications_->CreateSubscription(s, "", kBps);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(bad.status()).size(), 3u);
  s.set_url("ftp://bps.go.id/");
  s.clear_region_codes();
  s.clear_language();
  EXPECT_EQ(notifications_->CreateSubscription(s, "", kBps).status().code(), absl::StatusCode::kInvalidArgument);

  s.set_url(receiver_->Url());
  auto a = notifications_->CreateSubscription(s, "req-1", kBps);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->subscription.language(), "id");
  EXPECT_EQ(a->subscription.secrets_size(), 1);
  EXPECT_EQ(a->secret.rfind("whsec_", 0), 0u);
  auto again = notifications_->CreateSubscription(s, "req-1", kBps);  // a retry
  EXPECT_EQ(again->subscription.subscription_id(), a->subscription.subscription_id());
  EXPECT_EQ(again->secret, a->secret);
  const std::string id = a->subscription.subscription_id();
  EXPECT_EQ(notifications_->GetSubscription(id, As(auth::Role::kIntegration, "other")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(notifications_->GetSubscription(id, kAdmin).ok());
  EXPECT_EQ(notifications_->ListSubscriptions(0, "", kBps)->subscriptions.size(), 1u);
  EXPECT_TRUE(notifications_->ListSubscriptions(0, "", As(auth::Role::kIntegration, "other"))->subscriptions.empty());

  v1::Subscription change = a->subscription;
  change.set_language("en");
  auto updated = notifications_->UpdateSubscription(change, {"language"}, kBps);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->language(), "en");
  EXPECT_EQ(notifications_->UpdateSubscription(change, {"language"}, kBps).status().code(),
            absl::StatusCode::kAborted);  // the old etag
  EXPECT_EQ(notifications_->DeleteSubscription(id, change.etag(), kBps).code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(notifications_->DeleteSubscription(id, updated->etag(), kBps).ok());
  EXPECT_EQ(notifications_->GetSubscription(id, kBps).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(NotificationsTest, ARetryOnScheduleSendsTheSameSignedBodyUntilTheReceiverTakesIt) {
  const auto sub = Subscribe(receiver_->Url());
  receiver_->FailNext(2, 500);
  ASSERT_FALSE(*notifications_->Accept(Returned("e1", "35.72")));
  EXPECT_TRUE(*notifications_->Accept(Returned("e1", "35.72")));  // delivered twice by the relay: once
  EXPECT_EQ(*notifications_->DeliverDue(), 1);                    // 500
  EXPECT_EQ(*notifications_->DeliverDue(), 0);                    // not due before 5 s
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 1);  // 500 again
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 1);  // 200
  const auto got = receiver_->requests();
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) {
    EXPECT_EQ(r.headers.at("webhook-id"), got[0].headers.at("webhook-id"));
    EXPECT_EQ(r.body, got[0].body);  // frozen
    // As a receiver checks it on arrival (each attempt has its own timestamp).
    int64_t sent = 0;
    ASSERT_TRUE(absl::SimpleAtoi(r.headers.at("webhook-timestamp"), &sent));
    EXPECT_TRUE(webhook::Verify({sub.secret}, r.headers.at("webhook-id"), r.headers.at("webhook-timestamp"), r.body,
                                r.headers.at("webhook-signature"), absl::FromUnixSeconds(sent) + absl::Seconds(1)));
  }
  EXPECT_THAT(got[0].body, HasSubstr("\"type\":\"EVENT_TYPE_SUBMISSION_RETURNED\""));
  EXPECT_THAT(got[0].body, HasSubstr("Evaluasi Kota Blitar dikembalikan"));
  EXPECT_THAT(got[0].body, HasSubstr("\"name\":\"Kota Blitar\""));
  auto log = notifications_->ListDeliveries(sub.subscription.subscription_id(), {}, "", 0, "", kBps);
  ASSERT_EQ(log->deliveries.size(), 1u);
  const v1::Delivery& d = log->deliveries[0];
  EXPECT_EQ(d.state(), v1::DELIVERY_STATE_DELIVERED);
  ASSERT_EQ(d.attempts_size(), 3);
  EXPECT_EQ(d.attempts(0).http_status(), 500);
  EXPECT_EQ(d.attempts(2).http_status(), 200);
  EXPECT_EQ(notifications_->GetSubscription(sub.subscription.subscription_id(), kBps)->consecutive_failures(), 0);
}

TEST_P(NotificationsTest, GoneDisablesAndRetryAfterIsHonouredWithJitteredRetries) {
  // 429 with Retry-After: 1 hour, longer than the first step (5 s).
  const auto slow = Subscribe(receiver_->Url("/lambat"));
  receiver_->FailNext(1, 429, "3600");
  ASSERT_TRUE(notifications_->Accept(Returned("e1", "35.72")).ok());
  EXPECT_EQ(*notifications_->DeliverDue(), 1);
  auto log = notifications_->ListDeliveries(slow.subscription.subscription_id(), {}, "", 0, "", kBps);
  ASSERT_EQ(log->deliveries.size(), 1u);
  const absl::Time next = absl::FromUnixSeconds(log->deliveries[0].next_attempt_time().seconds());
  EXPECT_GE(next - clock_.Now(), absl::Minutes(59));
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 0);  // not before the receiver asked
  clock_.Advance(absl::Minutes(56));
  EXPECT_EQ(*notifications_->DeliverDue(), 1);
  ASSERT_TRUE(
      notifications_
          ->DeleteSubscription(slow.subscription.subscription_id(),
                               notifications_->GetSubscription(slow.subscription.subscription_id(), kBps)->etag(), kBps)
          .ok());

  // A plain failure is retried within 80-100 % of the step: due at 5 s.
  const auto sub = Subscribe(receiver_->Url());
  receiver_->FailNext(1, 500);
  ASSERT_TRUE(notifications_->Accept(Returned("e2", "35.72")).ok());
  EXPECT_EQ(*notifications_->DeliverDue(), 1);
  log = notifications_->ListDeliveries(sub.subscription.subscription_id(), {}, "", 0, "", kBps);
  const absl::Duration step = absl::FromUnixSeconds(log->deliveries[0].next_attempt_time().seconds()) - clock_.Now();
  EXPECT_GE(step, absl::Seconds(3));
  EXPECT_LE(step, absl::Seconds(5));
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 1);

  // 410 Gone: the endpoint no longer exists. No retries; disabled.
  receiver_->FailNext(1, 410);
  ASSERT_TRUE(notifications_->Accept(Returned("e3", "35.72")).ok());
  EXPECT_EQ(*notifications_->DeliverDue(), 1);
  auto gone = notifications_->GetSubscription(sub.subscription.subscription_id(), kBps);
  EXPECT_EQ(gone->state(), v1::SUBSCRIPTION_STATE_DISABLED);
  EXPECT_THAT(gone->disabled_reason(), HasSubstr("410 Gone"));
  log = notifications_->ListDeliveries(sub.subscription.subscription_id(), v1::DELIVERY_STATE_FAILED, "", 0, "", kBps);
  EXPECT_EQ(log->deliveries.size(), 1u);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*notifications_->DeliverDue(), 0);
}

TEST_P(NotificationsTest, SigningSecretsAreEncryptedAtRestWhenAKeyIsGiven) {
  // One subscription made before the key was configured (clear).
  const auto before = Subscribe(receiver_->Url("/before"));
  auto box = SecretBox::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(box.ok());
  store_ = std::make_unique<SqlNotificationStore>(db_.get(), &clock_, &*box);
  Build();
  const auto after = Subscribe(receiver_->Url("/after"));
  auto raw = db_->Execute("SELECT subscription_id, secrets FROM notification_subscriptions", {});
  ASSERT_TRUE(raw.ok()) << raw.status();
  for (const auto& row : raw->rows) {
    const bool sealed = row.Text(0) == after.subscription.subscription_id();
    EXPECT_EQ(row.Text(1).find("whsec_") == std::string::npos, sealed) << row.Text(1);
  }
  // Both still sign: each receiver checks with the secret it was given.
  ASSERT_FALSE(*notifications_->Accept(Returned("e1", "35.72")));
  EXPECT_EQ(*notifications_->DeliverDue(), 2);
  for (const auto& r : receiver_->requests()) {
    const std::string& secret = r.path == "/after" ? after.secret : before.secret;
    EXPECT_TRUE(webhook::Verify({secret}, r.headers.at("webhook-id"), r.headers.at("webhook-timestamp"), r.body,
                                r.headers.at("webhook-signature"), clock_.Now()))
        << r.path;
  }
  // Rotating seals the older one too.
  const std::string etag = notifications_->GetSubscription(before.subscription.subscription_id(), kBps)->etag();
  ASSERT_TRUE(notifications_->RotateSecret(before.subscription.subscription_id(), etag, 24, kBps).ok());
  // A retry of the same rotation does not rotate again.
  EXPECT_EQ(notifications_->RotateSecret(before.subscription.subscription_id(), etag, 24, kBps).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(notifications_->RotateSecret(before.subscription.subscription_id(), "", 24, kBps).status().code(),
            absl::StatusCode::kInvalidArgument);
  raw = db_->Execute("SELECT secrets FROM notification_subscriptions", {});
  for (const auto& row : raw->rows) EXPECT_EQ(row.Text(0).find("whsec_"), std::string::npos);
  // Without the key the service refuses to guess.
  SqlNotificationStore keyless(db_.get(), &clock_);
  EXPECT_EQ(keyless.GetSubscription(after.subscription.subscription_id()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(NotificationsTest, DeadLetterThenDisabledThenEnabledAndReplayed) {
  const auto sub = Subscribe(receiver_->Url());
  const std::string id = sub.subscription.subscription_id();
  receiver_->FailNext(1000, 503);
  ASSERT_TRUE(notifications_->Accept(Returned("e1", "35.72")).ok());
  // 1 + 7 retries on the schedule, then a dead letter.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(*notifications_->DeliverDue(), 1) << i;
    clock_.Advance(absl::Hours(11));
  }
  auto log = notifications_->ListDeliveries(id, v1::DELIVERY_STATE_FAILED, "", 0, "", kBps);
  ASSERT_EQ(log->deliveries.size(), 1u);
  EXPECT_EQ(log->deliveries[0].attempts_size(), 8);
  auto disabled = notifications_->GetSubscription(id, kBps);
  EXPECT_EQ(disabled->state(), v1::SUBSCRIPTION_STATE_DISABLED);
  EXPECT_THAT(disabled->disabled_reason(), HasSubstr("8 failed attempts in a row"));
  // Nothing goes to a disabled endpoint; it cannot be replayed to either.
  ASSERT_TRUE(notifications_->Accept(Returned("e2", "35.05")).ok());
  EXPECT_EQ(notifications_->Replay(id, "", clock_.Now() - absl::Hours(200), kBps).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The owner fixes the endpoint, enables it and replays everything since the outage.
  receiver_->FailNext(0);
  const std::string etag = disabled->etag();
  ASSERT_EQ(notifications_->EnableSubscription(id, etag, kBps)->state(), v1::SUBSCRIPTION_STATE_ACTIVE);
  EXPECT_EQ(notifications_->EnableSubscription(id, etag, kBps).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(*notifications_->Replay(id, "", clock_.Now() - absl::Hours(200), kBps), 2);
  EXPECT_EQ(*notifications_->DeliverDue(), 2);
  EXPECT_EQ(receiver_->requests().size(), 8u + 2u);
  EXPECT_EQ(notifications_->ListDeliveries(id, v1::DELIVERY_STATE_DELIVERED, "", 0, "", kBps)->deliveries.size(), 2u);
  EXPECT_EQ(notifications_->Replay(id, "msg_nope", std::nullopt, kBps).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(NotificationsTest, EmbargoedAwardsWaitForTheAnnouncementInWebhooksAndTheFeed) {
  Subscribe(receiver_->Url(), {"35"}, "en");
  const absl::Time announcement = clock_.Now() + absl::Hours(48);
  ASSERT_TRUE(notifications_->Accept(Award("a1", announcement)).ok());
  ASSERT_TRUE(notifications_->Accept(Returned("r1", "35.05")).ok());
  EXPECT_EQ(*notifications_->DeliverDue(), 1);  // the return, not the award
  auto feed = notifications_->ReadFeed(0, {}, {}, "id", 100);
  ASSERT_EQ(feed->notifications.size(), 1u);
  EXPECT_EQ(feed->notifications[0].type(), v1::EVENT_TYPE_SUBMISSION_RETURNED);
  EXPECT_EQ(feed->notifications[0].sequence(), 1);
  clock_.Advance(absl::Hours(47));
  EXPECT_EQ(*notifications_->DeliverDue(), 0);
  clock_.Set(announcement);
  EXPECT_EQ(*notifications_->DeliverDue(), 1);
  const auto got = receiver_->requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[1].body, HasSubstr("Congratulations! Kota Blitar receives"));  // the subscriber's language
  feed = notifications_->ReadFeed(1, {}, {}, "id", 100);
  ASSERT_EQ(feed->notifications.size(), 1u);
  EXPECT_EQ(feed->notifications[0].sequence(), 2);  // released in order, no gap
  EXPECT_THAT(feed->notifications[0].text().body(), HasSubstr("dengan nilai 742,50"));
  // Filters: a subscription for Aceh gets nothing of Jawa Timur.
  google::protobuf::RepeatedPtrField<std::string> aceh;
  aceh.Add("11");
  auto none = notifications_->ReadFeed(0, {}, aceh, "id", 100);
  EXPECT_TRUE(none->notifications.empty());
  EXPECT_EQ(none->last_sequence, 2);  // the cursor still moves past what the filter hides
}

TEST_P(NotificationsTest, AnnouncementsArePublicOnlyFromTheirTimeNewestFirst) {
  const absl::Time announcement = clock_.Now() + absl::Hours(48);
  ASSERT_TRUE(notifications_->Accept(Award("a1", announcement)).ok());
  ASSERT_TRUE(notifications_->Accept(Award("a2", announcement, "35.05", "Kabupaten Blitar")).ok());
  ASSERT_TRUE(notifications_->Accept(Returned("r1", "35.05")).ok());
  ASSERT_TRUE(notifications_->DeliverDue().ok());
  auto list = [&](Notifications::AnnouncementQuery q) {
    std::vector<std::string> out;
    auto page = notifications_->ListAnnouncements(q);
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const auto& n : page->announcements) out.push_back(n.region().code());
    }
    return out;
  };
  // Under embargo nothing shows, and a return is never an announcement.
  EXPECT_TRUE(list({}).empty());
  clock_.Set(announcement);
  ASSERT_TRUE(notifications_->DeliverDue().ok());
  EXPECT_THAT(list({}), ElementsAre("35.05", "35.72"));
  EXPECT_THAT(list({.cycle_id = "2025", .region_code = "35.72"}), ElementsAre("35.72"));
  EXPECT_THAT(list({.region_code = "35"}), ElementsAre("35.05", "35.72"));
  EXPECT_TRUE(list({.region_code = "11"}).empty());
  EXPECT_TRUE(list({.cycle_id = "2024"}).empty());
  auto en = notifications_->ListAnnouncements({.region_code = "35.72", .language = "en"});
  ASSERT_TRUE(en.ok()) << en.status();
  ASSERT_EQ(en->announcements.size(), 1u);
  EXPECT_THAT(en->announcements[0].text().body(), HasSubstr("Congratulations! Kota Blitar receives"));
  auto first = notifications_->ListAnnouncements({.page_size = 1});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->announcements.size(), 1u);
  EXPECT_THAT(first->announcements[0].text().body(), HasSubstr("dengan nilai 742,50"));
  ASSERT_FALSE(first->next_page_token.empty());
  auto second = notifications_->ListAnnouncements({.page_size = 1, .page_token = first->next_page_token});
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->announcements.size(), 1u);
  EXPECT_EQ(second->announcements[0].region().code(), "35.72");
  for (const Notifications::AnnouncementQuery& bad :
       {Notifications::AnnouncementQuery{.language = "fr"}, Notifications::AnnouncementQuery{.region_code = "35-72"},
        Notifications::AnnouncementQuery{.page_size = -1},
        Notifications::AnnouncementQuery{.region_code = "35", .page_token = first->next_page_token}}) {
    EXPECT_EQ(notifications_->ListAnnouncements(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST_P(NotificationsTest, AHangingOrDownReceiverNeverHoldsUpTheOthers) {
  auto hanging = webhook::HttpReceiver::Start();
  ASSERT_TRUE(hanging.ok());
  (*hanging)->SetMode(webhook::HttpReceiver::Mode::kHang);
  auto down = webhook::HttpReceiver::Start();
  ASSERT_TRUE(down.ok());
  const int down_port = (*down)->port();
  (*down)->Stop();
  Subscribe((*hanging)->Url());
  Subscribe(absl::StrCat("http://127.0.0.1:", down_port, "/hook"));  // nothing listens there
  Subscribe(receiver_->Url());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(notifications_->Accept(Returned(absl::StrCat("e", i), "35.72")).ok());
  EXPECT_EQ(*notifications_->DeliverDue(), 15);
  EXPECT_EQ(receiver_->requests().size(), 5u);  // the good one got everything in the same pass
  (*hanging)->SetMode(webhook::HttpReceiver::Mode::kAnswer);
}

TEST_P(NotificationsTest, AReceiverDownForTheWholeFanOutGetsEverythingWhenItIsBack) {
  Subscribe(receiver_->Url());
  const int port = receiver_->port();
  receiver_->Stop();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(notifications_
                    ->Accept(Award(absl::StrCat("a", i), clock_.Now(), absl::StrFormat("35.%02d", i + 1),
                                   absl::StrCat("Kab ", i)))
                    .ok());
  }
  EXPECT_EQ(*notifications_->DeliverDue(), 20);  // all refused: connection refused
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 20);
  auto back = webhook::HttpReceiver::Start(port);  // the same address comes back
  ASSERT_TRUE(back.ok()) << back.status();
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*notifications_->DeliverDue(), 20);
  std::set<std::string> ids;
  for (const auto& r : (*back)->requests()) ids.insert(r.headers.at("webhook-id"));
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ((*back)->requests().size(), 20u);
  // 40 failures in five minutes is not sustained failure: still active.
  EXPECT_EQ(notifications_->ListSubscriptions(0, "", kBps)->subscriptions[0].state(), v1::SUBSCRIPTION_STATE_ACTIVE);
}

TEST_P(NotificationsTest, AWorkerThatDiesMidFanOutLosesNothingAndRepeatsOnlyWithTheSameId) {
  Subscribe(receiver_->Url());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(notifications_->Accept(Returned(absl::StrCat("e", i), "35.72")).ok());
  // A worker claims everything and dies before recording anything.
  auto claimed = store_->ClaimDue(clock_.Now(), 100, absl::Seconds(30));
  ASSERT_EQ(claimed->size(), 10u);
  (void)sender_.Post(receiver_->Url(), {{"webhook-id", claimed->at(0).delivery.message_id()}}, claimed->at(0).body,
                     absl::Seconds(1));         // it had sent one
  Build();                                      // the restarted process
  EXPECT_EQ(*notifications_->DeliverDue(), 0);  // still leased
  clock_.Advance(absl::Seconds(31));
  EXPECT_EQ(*notifications_->DeliverDue(), 10);
  std::map<std::string, int> by_id;
  for (const auto& r : receiver_->requests()) ++by_id[r.headers.at("webhook-id")];
  EXPECT_EQ(by_id.size(), 10u);  // every one delivered
  int duplicates = 0;
  for (const auto& [id, n] : by_id) duplicates += n - 1;
  EXPECT_EQ(duplicates, 1);  // the one sent before the crash, with the same webhook-id
}

INSTANTIATE_TEST_SUITE_P(Engines, NotificationsTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::notification
