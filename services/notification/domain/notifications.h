#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/event/v1/event.pb.h"
#include "kla/notification/v1/notification.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "libs/webhook/http_sender.h"
#include "libs/webhook/url.h"
#include "services/notification/domain/intake.h"
#include "services/notification/domain/notification_store.h"
#include "services/notification/domain/templates.h"

namespace kla::notification {

// How webhooks are delivered.
struct DeliveryOptions {
  // Delay before each attempt after the first failure: the Standard
  // Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); after the
  // last, the delivery is dead-lettered (FAILED).
  std::vector<absl::Duration> retry_delays = {absl::Seconds(5), absl::Minutes(5), absl::Minutes(30), absl::Hours(2),
                                              absl::Hours(5),   absl::Hours(10),  absl::Hours(10)};
  // Deadline of one POST (Standard Webhooks: 15 s).
  absl::Duration timeout = absl::Seconds(15);
  // Where webhooks may go: checked when a subscription is created or its
  // URL changed, and again by the sender at every connection.
  webhook::AddressPolicy addresses;
  // A receiver's Retry-After (429, 503) is honoured up to this long.
  absl::Duration max_retry_after = absl::Hours(10);
  // A subscription is disabled when every attempt has failed for
  // `disable_window` and at least `disable_after` attempts in a row: a
  // receiver that is down for an hour during a national fan-out is not
  // disabled; one that has refused everything for a day is.
  int disable_after = 8;
  absl::Duration disable_window = absl::Hours(24);
  // Deliveries sent at once: a slow or hanging receiver never holds up
  // the others.
  int parallel = 16;
};

// Subscriptions, intake of events as notifications, webhook delivery with
// retries and a log, replay, and the feed. Plain C++ (no gRPC).
class Notifications {
 public:
  using NamesSource = std::function<absl::StatusOr<RegionNames>()>;
  Notifications(NotificationStore* store, webhook::HttpSender* sender, const Templates* templates, NamesSource names,
                const Clock* clock, DeliveryOptions options = {})
      : store_(store),
        sender_(sender),
        templates_(templates),
        names_(std::move(names)),
        clock_(clock),
        options_(std::move(options)) {}

  struct Created {
    v1::Subscription subscription;
    std::string secret;
  };
  absl::StatusOr<Created> CreateSubscription(v1::Subscription s, const std::string& request_id,
                                             const auth::Principal& who);
  absl::StatusOr<v1::Subscription> GetSubscription(const std::string& id, const auth::Principal& who);
  struct SubscriptionPage {
    std::vector<v1::Subscription> subscriptions;
    std::string next_page_token;
  };
  absl::StatusOr<SubscriptionPage> ListSubscriptions(int page_size, const std::string& page_token,
                                                     const auth::Principal& who);
  absl::StatusOr<v1::Subscription> UpdateSubscription(const v1::Subscription& s, const std::vector<std::string>& paths,
                                                      const auth::Principal& who);
  absl::Status DeleteSubscription(const std::string& id, const std::string& etag, const auth::Principal& who);
  // Both require the subscription's current etag (safe retries).
  absl::StatusOr<Created> RotateSecret(const std::string& id, const std::string& etag, int overlap_hours,
                                       const auth::Principal& who);
  absl::StatusOr<v1::Subscription> EnableSubscription(const std::string& id, const std::string& etag,
                                                      const auth::Principal& who);

  // An event from submission or scoring: a notification, fanned out to the
  // matching active subscriptions with frozen bodies. True: seen before.
  absl::StatusOr<bool> Accept(const event::v1::EventEnvelope& event);

  // One pass of the delivery worker: releases notifications whose time has
  // come and sends what is due. Returns how many attempts were made.
  absl::StatusOr<int> DeliverDue();

  struct DeliveryPage {
    std::vector<v1::Delivery> deliveries;
    std::string next_page_token;
  };
  absl::StatusOr<DeliveryPage> ListDeliveries(const std::string& subscription_id, v1::DeliveryState state,
                                              const std::string& message_id, int page_size,
                                              const std::string& page_token, const auth::Principal& who);
  // One message (message_id) or everything since `since`.
  absl::StatusOr<int> Replay(const std::string& subscription_id, const std::string& message_id,
                             std::optional<absl::Time> since, const auth::Principal& who);

  // The feed after `after_sequence`, filtered, texts in `language`;
  // `last_sequence` is how far it read (filtered-out ones included), the
  // cursor for the next read.
  struct FeedPage {
    std::vector<v1::Notification> notifications;
    int64_t last_sequence = 0;
  };
  absl::StatusOr<FeedPage> ReadFeed(int64_t after_sequence, const google::protobuf::RepeatedField<int>& types,
                                    const google::protobuf::RepeatedPtrField<std::string>& regions,
                                    const std::string& language, int limit);

  // The public announcements (awards and national summaries released to
  // the feed), newest first, texts in `language`.
  struct AnnouncementQuery {
    std::string cycle_id;
    std::string region_code;
    std::string language;
    int page_size = 0;
    std::string page_token;
  };
  struct AnnouncementPage {
    std::vector<v1::Notification> announcements;
    std::string next_page_token;
  };
  absl::StatusOr<AnnouncementPage> ListAnnouncements(const AnnouncementQuery& q);

  // The body a subscription receives for `n` (its language), frozen.
  std::string BodyFor(const v1::Notification& n, const std::string& language, const RegionNames& names) const;

 private:
  absl::StatusOr<StoredSubscription> Owned(const std::string& id, const auth::Principal& who);
  // Owned, and still at `etag` (required).
  absl::StatusOr<StoredSubscription> Current(const std::string& id, const std::string& etag,
                                             const auth::Principal& who);
  absl::Status Validate(const v1::Subscription& s) const;
  // The delivery's state after an attempt answered `r`: delivered, the next
  // attempt's time, or dead-lettered.
  void Schedule(const webhook::HttpResult& r, bool gone, v1::Delivery* d) const;
  RegionNames Names();

  NotificationStore* store_;
  webhook::HttpSender* sender_;
  const Templates* templates_;
  NamesSource names_;
  const Clock* clock_;
  DeliveryOptions options_;
};

}  // namespace kla::notification
