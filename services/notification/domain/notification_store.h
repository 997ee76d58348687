#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/event/v1/event.pb.h"
#include "kla/notification/v1/notification.pb.h"

namespace kla::notification {

// A signing secret with its value (kept only here and in the database).
struct Secret {
  std::string secret_id;
  std::string value;  // "whsec_..."
  absl::Time created;
  std::optional<absl::Time> expires;
};

// A subscription with what is not shown to callers.
struct StoredSubscription {
  v1::Subscription subscription;  // secrets: info only
  std::vector<Secret> secrets;
  int64_t version = 0;  // the etag
};

// A delivery with the frozen body it sends.
struct DeliveryRecord {
  v1::Delivery delivery;
  std::string body;  // proto3 JSON of the notification in the subscriber's language
};

// Storage of subscriptions, notifications and deliveries. The database is
// the source of truth; implementations are SQL.
class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  // Creates a subscription, or returns the one created earlier with
  // `request_id` (with its secret).
  virtual absl::StatusOr<StoredSubscription> CreateSubscription(const StoredSubscription& s,
                                                                const std::string& request_id) = 0;
  virtual absl::StatusOr<std::optional<StoredSubscription>> GetSubscription(const std::string& id) = 0;
  // By id, after `after_id`; `owner` empty: everyone's.
  virtual absl::StatusOr<std::vector<StoredSubscription>> ListSubscriptions(const std::string& owner,
                                                                            const std::string& after_id, int limit) = 0;
  // ABORTED when the stored version is not `expected_version`.
  virtual absl::Status UpdateSubscription(const StoredSubscription& s, int64_t expected_version) = 0;
  virtual absl::Status DeleteSubscription(const std::string& id, int64_t expected_version) = 0;
  virtual absl::StatusOr<std::vector<StoredSubscription>> ActiveSubscriptions() = 0;

  // In one transaction: records the event id (true: seen before, nothing
  // else happens), stores the notification (released to the feed now when
  // its publish time has come, else later by ReleaseDue) and its
  // deliveries.
  virtual absl::StatusOr<bool> Accept(const event::v1::EventEnvelope& event, const v1::Notification& n,
                                      const std::vector<DeliveryRecord>& deliveries, absl::Time now) = 0;
  // Gives feed sequences, in publish-time order, to held notifications
  // whose time has come. Returns how many.
  virtual absl::StatusOr<int> ReleaseDue(absl::Time now) = 0;
  // Released notifications after `after_sequence`, in order.
  virtual absl::StatusOr<std::vector<v1::Notification>> ReadFeed(int64_t after_sequence, int limit) = 0;
  // Released notifications before `before_sequence` (0: from the newest),
  // newest first.
  virtual absl::StatusOr<std::vector<v1::Notification>> ReadFeedBackward(int64_t before_sequence, int limit) = 0;
  // Notifications accepted at or after `since` (released or not), and one
  // by id.
  virtual absl::StatusOr<std::vector<v1::Notification>> NotificationsSince(absl::Time since) = 0;
  virtual absl::StatusOr<std::optional<v1::Notification>> GetNotification(const std::string& message_id) = 0;

  // Deliveries due (HELD or PENDING, next attempt at or before `now`),
  // claimed for `lease`: another worker (or this one after a crash) takes
  // them only when the lease has passed.
  virtual absl::StatusOr<std::vector<DeliveryRecord>> ClaimDue(absl::Time now, int limit, absl::Duration lease) = 0;
  // The outcome of one attempt.
  struct Attempt {
    v1::Delivery delivery;  // with the attempt appended and its new state
    bool success = false;
    bool gone = false;  // the receiver answered 410 Gone: disable the subscription
  };
  // Stores a pass's attempts (deliveries' states and logs, subscriptions'
  // failure runs) in one transaction; disables a subscription whose run has
  // lasted `disable_window` and counts at least `disable_after` attempts,
  // or whose receiver answered 410 Gone.
  virtual absl::Status RecordAttempts(const std::vector<Attempt>& attempts, int disable_after,
                                      absl::Duration disable_window, absl::Time now) = 0;
  // Newest first, keyed by delivery id order.
  virtual absl::StatusOr<std::vector<v1::Delivery>> ListDeliveries(const std::string& subscription_id,
                                                                   v1::DeliveryState state,
                                                                   const std::string& message_id,
                                                                   const std::string& after_key, int limit) = 0;
  // Queues a delivery again (PENDING now), or creates it; returns whether
  // it was queued.
  virtual absl::StatusOr<bool> Requeue(const DeliveryRecord& delivery, absl::Time now) = 0;
};

}  // namespace kla::notification
