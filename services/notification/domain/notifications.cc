#include "services/notification/domain/notifications.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/webhook/signature.h"
#include "libs/webhook/url.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;

// What callers see: secrets as info only.
v1::Subscription Shown(const StoredSubscription& s, absl::Time now) {
  v1::Subscription out = s.subscription;
  out.clear_secrets();
  for (const Secret& secret : s.secrets) {
    if (secret.expires && *secret.expires <= now) continue;
    auto* info = out.add_secrets();
    info->set_secret_id(secret.secret_id);
    info->set_prefix(secret.value.substr(0, 10));
    *info->mutable_create_time() = ToProtoTime(secret.created);
    if (secret.expires) *info->mutable_expire_time() = ToProtoTime(*secret.expires);
  }
  out.set_etag(FormatEtag(kSubscriptionEtag, s.version));
  return out;
}

bool MayManageAll(const auth::Principal& who) { return who.role == auth::Role::kNationalAdmin; }

// Delivery ids sort by creation time, so "newest first" is id order.
std::string NewDeliveryId(absl::Time now) {
  return absl::StrFormat("dlv_%016x%s", absl::ToUnixMicros(now), NewUuid().substr(0, 8));
}

}  // namespace

RegionNames Notifications::Names() {
  auto names = names_ ? names_() : absl::StatusOr<RegionNames>(RegionNames{});
  if (!names.ok()) {
    log::Warn("region names unavailable; texts show codes", {{"error", std::string(names.status().message())}});
    return {};
  }
  return *std::move(names);
}

absl::Status Notifications::Validate(const v1::Subscription& s) const {
  Violations v;
  if (s.url().empty()) {
    v.Add("subscription.url", "required");
  } else if (absl::Status st = options_.addresses.CheckUrl(s.url()); !st.ok()) {
    v.Add("subscription.url", std::string(st.message()));
  }
  for (int i = 0; i < s.event_types_size(); ++i) {
    if (!v1::EventType_IsValid(s.event_types(i)) || s.event_types(i) == v1::EVENT_TYPE_UNSPECIFIED) {
      v.Add(absl::StrCat("subscription.event_types[", i, "]"), "unknown event type");
    }
  }
  for (int i = 0; i < s.region_codes_size(); ++i) {
    if (!IsRegionCode(s.region_codes(i))) {
      v.Add(absl::StrCat("subscription.region_codes[", i, "]"), "a province (35) or kabupaten/kota (35.72) code");
    }
  }
  if (!s.language().empty() && s.language() != "id" && s.language() != "en") {
    v.Add("subscription.language", "\"id\" or \"en\"");
  }
  if (s.description().size() > 200) v.Add("subscription.description", "at most 200 characters");
  return v.ToStatus("invalid subscription");
}

absl::StatusOr<Notifications::Created> Notifications::CreateSubscription(v1::Subscription s,
                                                                         const std::string& request_id,
                                                                         const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(Validate(s));
  const absl::Time now = clock_->Now();
  StoredSubscription stored;
  s.set_subscription_id(absl::StrCat("sub_", absl::StrReplaceAll(NewUuid(), {{"-", ""}})));
  s.set_owner(who.subject);
  if (s.language().empty()) s.set_language("id");
  s.set_state(v1::SUBSCRIPTION_STATE_ACTIVE);
  s.clear_disabled_reason();
  s.set_consecutive_failures(0);
  *s.mutable_create_time() = ToProtoTime(now);
  *s.mutable_update_time() = ToProtoTime(now);
  stored.subscription = std::move(s);
  stored.secrets.push_back(Secret{"sec_1", webhook::NewSecret(), now, std::nullopt});
  stored.version = 1;
  KLA_ASSIGN_OR_RETURN(StoredSubscription created,
                       store_->CreateSubscription(stored, request_id.empty() ? NewUuid() : request_id));
  return Created{Shown(created, now), created.secrets.back().value};
}

absl::StatusOr<StoredSubscription> Notifications::Current(const std::string& id, const std::string& etag,
                                                          const auth::Principal& who) {
  if (etag.empty()) return InvalidField("etag", "required: the etag you read");
  KLA_ASSIGN_OR_RETURN(StoredSubscription stored, Owned(id, who));
  if (etag != FormatEtag(kSubscriptionEtag, stored.version)) {
    return StaleEtag(absl::StrCat("subscription ", id, " was changed (etag ", etag, " is stale, current is ",
                                  FormatEtag(kSubscriptionEtag, stored.version), "): read it again"));
  }
  return stored;
}

absl::StatusOr<StoredSubscription> Notifications::Owned(const std::string& id, const auth::Principal& who) {
  if (id.empty()) return InvalidField("subscription_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<StoredSubscription> s, store_->GetSubscription(id));
  // Someone else's subscription is not found, not forbidden: ids do not leak.
  if (!s || (!MayManageAll(who) && s->subscription.owner() != who.subject)) return NotFound("subscription", id);
  return *std::move(s);
}

absl::StatusOr<v1::Subscription> Notifications::GetSubscription(const std::string& id, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(StoredSubscription s, Owned(id, who));
  return Shown(s, clock_->Now());
}

absl::StatusOr<Notifications::SubscriptionPage> Notifications::ListSubscriptions(int page_size,
                                                                                 const std::string& page_token,
                                                                                 const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string owner = MayManageAll(who) ? "" : who.subject;
  KLA_ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token, owner));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredSubscription> subs, store_->ListSubscriptions(owner, after, size + 1));
  SubscriptionPage page;
  for (size_t i = 0; i < subs.size() && i < static_cast<size_t>(size); ++i) {
    page.subscriptions.push_back(Shown(subs[i], clock_->Now()));
  }
  if (subs.size() > static_cast<size_t>(size)) {
    page.next_page_token = EncodePageToken(owner, page.subscriptions.back().subscription_id());
  }
  return page;
}

absl::StatusOr<v1::Subscription> Notifications::UpdateSubscription(const v1::Subscription& s,
                                                                   const std::vector<std::string>& paths,
                                                                   const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(StoredSubscription stored, Owned(s.subscription_id(), who));
  if (s.etag() != FormatEtag(kSubscriptionEtag, stored.version)) {
    return StaleEtag(absl::StrCat("subscription ", s.subscription_id(), " was changed (etag ", s.etag(),
                                  " is stale, current is ", FormatEtag(kSubscriptionEtag, stored.version), ")"));
  }
  if (paths.empty()) return InvalidField("update_mask", "required");
  v1::Subscription& target = stored.subscription;
  for (const std::string& p : paths) {
    if (p == "url") {
      target.set_url(s.url());
    } else if (p == "event_types") {
      *target.mutable_event_types() = s.event_types();
    } else if (p == "region_codes") {
      *target.mutable_region_codes() = s.region_codes();
    } else if (p == "language") {
      target.set_language(s.language().empty() ? "id" : s.language());
    } else if (p == "description") {
      target.set_description(s.description());
    } else {
      return InvalidField("update_mask", absl::StrCat("cannot update ", p));
    }
  }
  KLA_RETURN_IF_ERROR(Validate(target));
  *target.mutable_update_time() = ToProtoTime(clock_->Now());
  const int64_t expected = stored.version++;
  KLA_RETURN_IF_ERROR(store_->UpdateSubscription(stored, expected));
  return Shown(stored, clock_->Now());
}

absl::Status Notifications::DeleteSubscription(const std::string& id, const std::string& etag,
                                               const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(StoredSubscription stored, Owned(id, who));
  if (etag != FormatEtag(kSubscriptionEtag, stored.version)) {
    return StaleEtag(absl::StrCat("subscription ", id, " was changed (etag ", etag, " is stale)"));
  }
  return store_->DeleteSubscription(id, stored.version);
}

absl::StatusOr<Notifications::Created> Notifications::RotateSecret(const std::string& id, const std::string& etag,
                                                                   int overlap_hours, const auth::Principal& who) {
  if (overlap_hours < 0 || overlap_hours > 168) return InvalidField("overlap_hours", "0 to 168");
  KLA_ASSIGN_OR_RETURN(StoredSubscription stored, Current(id, etag, who));
  const absl::Time now = clock_->Now();
  const absl::Time old_until = now + absl::Hours(overlap_hours == 0 ? 24 : overlap_hours);
  std::vector<Secret> kept;
  int next = 1;
  for (Secret& s : stored.secrets) {
    if (s.expires && *s.expires <= now) continue;  // already expired
    if (!s.expires || *s.expires > old_until) s.expires = old_until;
    next = std::max(next, std::atoi(s.secret_id.c_str() + 4) + 1);
    kept.push_back(s);
  }
  kept.push_back(Secret{absl::StrCat("sec_", next), webhook::NewSecret(), now, std::nullopt});
  stored.secrets = std::move(kept);
  *stored.subscription.mutable_update_time() = ToProtoTime(now);
  const int64_t expected = stored.version++;
  KLA_RETURN_IF_ERROR(store_->UpdateSubscription(stored, expected));
  return Created{Shown(stored, now), stored.secrets.back().value};
}

absl::StatusOr<v1::Subscription> Notifications::EnableSubscription(const std::string& id, const std::string& etag,
                                                                   const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(StoredSubscription stored, Current(id, etag, who));
  stored.subscription.set_state(v1::SUBSCRIPTION_STATE_ACTIVE);
  stored.subscription.clear_disabled_reason();
  stored.subscription.set_consecutive_failures(0);
  stored.subscription.clear_failing_since();
  *stored.subscription.mutable_update_time() = ToProtoTime(clock_->Now());
  const int64_t expected = stored.version++;
  KLA_RETURN_IF_ERROR(store_->UpdateSubscription(stored, expected));
  return Shown(stored, clock_->Now());
}

std::string Notifications::BodyFor(const v1::Notification& n, const std::string& language,
                                   const RegionNames& names) const {
  v1::Notification copy = n;
  *copy.mutable_text() = templates_->Render(n, language, names);
  if (copy.region().name().empty() && !copy.region().code().empty()) {
    auto it = names.find(copy.region().code());
    if (it != names.end()) copy.mutable_region()->set_name(it->second);
  }
  if (copy.province().name().empty() && !copy.province().code().empty()) {
    auto it = names.find(copy.province().code());
    if (it != names.end()) copy.mutable_province()->set_name(it->second);
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(copy, &json, options);
  return json;
}

absl::StatusOr<bool> Notifications::Accept(const event::v1::EventEnvelope& event) {
  const absl::Time now = clock_->Now();
  KLA_ASSIGN_OR_RETURN(v1::Notification n, FromEvent(event, now));
  const RegionNames names = Names();
  KLA_ASSIGN_OR_RETURN(std::vector<StoredSubscription> subs, store_->ActiveSubscriptions());
  const absl::Time publish = FromProtoTime(n.publish_time());
  std::vector<DeliveryRecord> deliveries;
  for (const StoredSubscription& s : subs) {
    if (!Matches(n, s.subscription.event_types(), s.subscription.region_codes())) continue;
    DeliveryRecord d;
    d.delivery.set_delivery_id(NewDeliveryId(now));
    d.delivery.set_subscription_id(s.subscription.subscription_id());
    d.delivery.set_message_id(n.message_id());
    d.delivery.set_type(n.type());
    d.delivery.set_state(publish > now ? v1::DELIVERY_STATE_HELD : v1::DELIVERY_STATE_PENDING);
    *d.delivery.mutable_next_attempt_time() = ToProtoTime(std::max(publish, now));
    *d.delivery.mutable_create_time() = ToProtoTime(now);
    *d.delivery.mutable_queue_time() = ToProtoTime(now);
    // Frozen now: a retry or replay sends exactly this (sequence included
    // only in the feed).
    d.body = BodyFor(n, s.subscription.language(), names);
    deliveries.push_back(std::move(d));
  }
  return store_->Accept(event, n, deliveries, now);
}

absl::StatusOr<int> Notifications::DeliverDue() {
  const absl::Time now = clock_->Now();
  KLA_RETURN_IF_ERROR(store_->ReleaseDue(now).status());
  // The lease outlives one attempt: a crash mid-send means a resend (same
  // webhook-id), never a loss.
  KLA_ASSIGN_OR_RETURN(std::vector<DeliveryRecord> due,
                       store_->ClaimDue(now, options_.parallel * 8, options_.timeout * 3));
  if (due.empty()) return 0;
  std::map<std::string, std::optional<StoredSubscription>> subs;
  for (const auto& d : due) {
    if (subs.contains(d.delivery.subscription_id())) continue;
    KLA_ASSIGN_OR_RETURN(subs[d.delivery.subscription_id()], store_->GetSubscription(d.delivery.subscription_id()));
  }
  std::atomic<size_t> next{0};
  absl::Mutex results_mu;
  std::vector<NotificationStore::Attempt> results;  // under results_mu until the workers are joined
  auto work = [&] {
    for (size_t i = next++; i < due.size(); i = next++) {
      v1::Delivery d = due[i].delivery;
      const auto& sub = subs[d.subscription_id()];
      if (!sub || sub->subscription.state() != v1::SUBSCRIPTION_STATE_ACTIVE) {
        continue;  // deleted or disabled meanwhile: its lease lapses; replay after enabling
      }
      const absl::Time at = clock_->Now();
      std::vector<std::string> keys;
      for (const Secret& s : sub->secrets) {
        if (s.expires && *s.expires <= at) continue;
        if (auto key = webhook::DecodeSecret(s.value); key.ok()) keys.push_back(*key);
      }
      const int64_t timestamp = absl::ToUnixSeconds(at);
      const std::map<std::string, std::string> headers = {
          {"content-type", "application/json"},
          {"webhook-id", d.message_id()},
          {"webhook-timestamp", std::to_string(timestamp)},
          {"webhook-signature", webhook::Sign(d.message_id(), timestamp, due[i].body, keys)}};
      const webhook::HttpResult r = sender_->Post(sub->subscription.url(), headers, due[i].body, options_.timeout);
      auto* attempt = d.add_attempts();
      *attempt->mutable_attempt_time() = ToProtoTime(at);
      attempt->set_http_status(r.status);
      attempt->set_latency_ms(absl::ToInt64Milliseconds(r.latency));
      const bool ok = r.status >= 200 && r.status < 300;
      if (!ok) attempt->set_error(r.error.empty() ? absl::StrCat("HTTP ", r.status) : r.error);
      // 410 Gone: the receiver says the endpoint no longer exists (Standard
      // Webhooks): no retries, the subscription is disabled.
      const bool gone = r.status == 410;
      Schedule(r, gone, &d);
      absl::MutexLock lock(&results_mu);
      results.push_back({std::move(d), ok, gone});
    }
  };
  std::vector<std::thread> workers;
  const int n = std::min<int>(options_.parallel, static_cast<int>(due.size()));
  for (int t = 1; t < n; ++t) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  // One transaction for the pass. If it fails (or the process dies first),
  // the leases lapse and the same messages go again with the same ids.
  if (absl::Status st = store_->RecordAttempts(results, options_.disable_after, options_.disable_window, clock_->Now());
      !st.ok()) {
    log::Warn("deliveries not recorded; they will be sent again", {{"error", std::string(st.message())}});
    return st;
  }
  return static_cast<int>(due.size());
}

void Notifications::Schedule(const webhook::HttpResult& r, bool gone, v1::Delivery* d) const {
  if (r.status >= 200 && r.status < 300) {
    d->set_state(v1::DELIVERY_STATE_DELIVERED);
    *d->mutable_deliver_time() = ToProtoTime(clock_->Now());
    d->clear_next_attempt_time();
    return;
  }
  // Failures since the delivery was last queued (a replay starts the
  // schedule again).
  int failed = 0;
  for (const auto& a : d->attempts()) {
    if (FromProtoTime(a.attempt_time()) >= FromProtoTime(d->queue_time())) ++failed;
  }
  if (gone || failed > static_cast<int>(options_.retry_delays.size())) {
    d->set_state(v1::DELIVERY_STATE_FAILED);  // dead letter
    d->clear_next_attempt_time();
    return;
  }
  // Jitter (80-100 % of the step, never later than the schedule) spreads the
  // retries of a fan-out that failed at once; a receiver's Retry-After on
  // 429/503 is honoured when it asks for longer.
  thread_local absl::BitGen random;
  absl::Duration delay = options_.retry_delays[failed - 1] * absl::Uniform(random, 0.8, 1.0);
  if ((r.status == 429 || r.status == 503) && r.retry_after) {
    delay = std::max(delay, std::min(*r.retry_after, options_.max_retry_after));
  }
  d->set_state(v1::DELIVERY_STATE_PENDING);
  *d->mutable_next_attempt_time() = ToProtoTime(clock_->Now() + delay);
}

absl::StatusOr<Notifications::DeliveryPage> Notifications::ListDeliveries(const std::string& subscription_id,
                                                                          v1::DeliveryState state,
                                                                          const std::string& message_id, int page_size,
                                                                          const std::string& page_token,
                                                                          const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  KLA_RETURN_IF_ERROR(Owned(subscription_id, who).status());
  const std::string fingerprint = absl::StrCat(subscription_id, "|", state, "|", message_id);
  KLA_ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Delivery> all,
                       store_->ListDeliveries(subscription_id, state, message_id, after, size + 1));
  DeliveryPage page;
  for (size_t i = 0; i < all.size() && i < static_cast<size_t>(size); ++i) page.deliveries.push_back(all[i]);
  if (all.size() > static_cast<size_t>(size)) {
    page.next_page_token = EncodePageToken(fingerprint, page.deliveries.back().delivery_id());
  }
  return page;
}

absl::StatusOr<int> Notifications::Replay(const std::string& subscription_id, const std::string& message_id,
                                          std::optional<absl::Time> since, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(StoredSubscription sub, Owned(subscription_id, who));
  if (message_id.empty() && !since) return InvalidField("what", "a message_id or a since time");
  if (sub.subscription.state() != v1::SUBSCRIPTION_STATE_ACTIVE) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("subscription ", subscription_id, " is disabled; enable it first")),
        "SUBSCRIPTION_DISABLED", {{"subscription_id", subscription_id}});
  }
  std::vector<v1::Notification> messages;
  if (!message_id.empty()) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::Notification> n, store_->GetNotification(message_id));
    if (!n) return NotFound("notification", message_id);
    messages.push_back(*std::move(n));
  } else {
    KLA_ASSIGN_OR_RETURN(messages, store_->NotificationsSince(*since));
  }
  const RegionNames names = Names();
  const absl::Time now = clock_->Now();
  int queued = 0;
  for (const v1::Notification& n : messages) {
    if (message_id.empty() && !Matches(n, sub.subscription.event_types(), sub.subscription.region_codes())) continue;
    DeliveryRecord d;
    d.delivery.set_delivery_id(NewDeliveryId(now));
    d.delivery.set_subscription_id(subscription_id);
    d.delivery.set_message_id(n.message_id());
    d.delivery.set_type(n.type());
    const absl::Time publish = FromProtoTime(n.publish_time());
    d.delivery.set_state(publish > now ? v1::DELIVERY_STATE_HELD : v1::DELIVERY_STATE_PENDING);
    *d.delivery.mutable_next_attempt_time() = ToProtoTime(std::max(publish, now));
    *d.delivery.mutable_create_time() = ToProtoTime(now);
    *d.delivery.mutable_queue_time() = ToProtoTime(now);
    d.body = BodyFor(n, sub.subscription.language(), names);
    KLA_ASSIGN_OR_RETURN(bool was_queued, store_->Requeue(d, now));
    queued += was_queued ? 1 : 0;
  }
  return queued;
}

absl::StatusOr<Notifications::FeedPage> Notifications::ReadFeed(
    int64_t after_sequence, const google::protobuf::RepeatedField<int>& types,
    const google::protobuf::RepeatedPtrField<std::string>& regions, const std::string& language, int limit) {
  if (after_sequence < 0) return InvalidField("after_sequence", "not negative");
  if (!language.empty() && language != "id" && language != "en") return InvalidField("language", "\"id\" or \"en\"");
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Notification> feed, store_->ReadFeed(after_sequence, limit));
  for (int i = 0; i < regions.size(); ++i) {
    if (!IsRegionCode(regions.Get(i))) {
      return InvalidField(absl::StrCat("region_codes[", i, "]"), "a province (35) or kabupaten/kota (35.72) code");
    }
  }
  FeedPage out;
  out.last_sequence = after_sequence;
  if (feed.empty()) return out;
  const RegionNames names = Names();
  for (v1::Notification& n : feed) {
    out.last_sequence = n.sequence();
    if (!Matches(n, types, regions)) continue;
    *n.mutable_text() = templates_->Render(n, language, names);
    out.notifications.push_back(std::move(n));
  }
  return out;
}

namespace {

// Whether `n` is a public announcement the query asks for.
bool IsAnnouncement(const v1::Notification& n, const Notifications::AnnouncementQuery& q) {
  if (n.type() != v1::EVENT_TYPE_AWARD_ANNOUNCED && n.type() != v1::EVENT_TYPE_NATIONAL_SUMMARY) return false;
  if (!q.cycle_id.empty() && n.cycle_id() != q.cycle_id) return false;
  if (q.region_code.empty()) return true;
  const std::string& code = n.region().code();
  return !code.empty() && (code == q.region_code || ProvinceOf(code) == q.region_code);
}

}  // namespace

absl::StatusOr<Notifications::AnnouncementPage> Notifications::ListAnnouncements(const AnnouncementQuery& q) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(q.page_size, 50, 200));
  if (!q.language.empty() && q.language != "id" && q.language != "en") {
    return InvalidField("language", "\"id\" or \"en\"");
  }
  if (!q.region_code.empty() && !IsRegionCode(q.region_code)) {
    return InvalidField("region_code", "a province (35) or kabupaten/kota (35.72) code");
  }
  const std::string fingerprint = absl::StrCat(q.cycle_id, "|", q.region_code, "|", q.language);
  KLA_ASSIGN_OR_RETURN(std::string before, DecodePageToken(q.page_token, fingerprint));
  int64_t cursor = 0;
  if (!before.empty() && (!absl::SimpleAtoi(before, &cursor) || cursor <= 0)) {
    return InvalidField("page_token", "not a token of this listing");
  }
  // The feed holds every event; at most this many are read per call, so a
  // page may come back short with a token to go on.
  constexpr int kBatch = 500;
  constexpr int kMaxScanned = 4 * kBatch;
  AnnouncementPage page;
  const RegionNames names = Names();
  bool more = true;
  for (int scanned = 0; more && scanned < kMaxScanned && page.announcements.size() < static_cast<size_t>(size);) {
    KLA_ASSIGN_OR_RETURN(std::vector<v1::Notification> batch, store_->ReadFeedBackward(cursor, kBatch));
    more = batch.size() == static_cast<size_t>(kBatch);
    for (size_t i = 0; i < batch.size(); ++i) {
      v1::Notification& n = batch[i];
      cursor = n.sequence();
      ++scanned;
      if (IsAnnouncement(n, q)) {
        *n.mutable_text() = templates_->Render(n, q.language, names);
        page.announcements.push_back(std::move(n));
      }
      if (page.announcements.size() == static_cast<size_t>(size)) {
        more = more || i + 1 < batch.size();
        break;
      }
    }
  }
  if (more) page.next_page_token = EncodePageToken(fingerprint, absl::StrCat(cursor));
  return page;
}

}  // namespace kla::notification
