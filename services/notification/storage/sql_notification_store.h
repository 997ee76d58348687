#pragma once

#include "libs/common/clock.h"
#include "libs/common/secret_box.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/notification/domain/notification_store.h"

namespace kla::notification {

// NotificationStore on SQLite or PostgreSQL (same SQL). With a SecretBox,
// webhook signing secrets are stored encrypted (older clear ones still
// read, and sealed when next written).
class SqlNotificationStore final : public NotificationStore {
 public:
  SqlNotificationStore(storage::Database* db, const Clock* clock, const SecretBox* box = nullptr)
      : db_(db), inbox_("notification"), clock_(clock), box_(box) {}

  absl::StatusOr<StoredSubscription> CreateSubscription(const StoredSubscription& s,
                                                        const std::string& request_id) override;
  absl::StatusOr<std::optional<StoredSubscription>> GetSubscription(const std::string& id) override;
  absl::StatusOr<std::vector<StoredSubscription>> ListSubscriptions(const std::string& owner,
                                                                    const std::string& after_id, int limit) override;
  absl::Status UpdateSubscription(const StoredSubscription& s, int64_t expected_version) override;
  absl::Status DeleteSubscription(const std::string& id, int64_t expected_version) override;
  absl::StatusOr<std::vector<StoredSubscription>> ActiveSubscriptions() override;
  absl::StatusOr<bool> Accept(const event::v1::EventEnvelope& event, const v1::Notification& n,
                              const std::vector<DeliveryRecord>& deliveries, absl::Time now) override;
  absl::StatusOr<int> ReleaseDue(absl::Time now) override;
  absl::StatusOr<std::vector<v1::Notification>> ReadFeed(int64_t after_sequence, int limit) override;
  absl::StatusOr<std::vector<v1::Notification>> ReadFeedBackward(int64_t before_sequence, int limit) override;
  absl::StatusOr<std::vector<v1::Notification>> NotificationsSince(absl::Time since) override;
  absl::StatusOr<std::optional<v1::Notification>> GetNotification(const std::string& message_id) override;
  absl::StatusOr<std::vector<DeliveryRecord>> ClaimDue(absl::Time now, int limit, absl::Duration lease) override;
  absl::Status RecordAttempts(const std::vector<Attempt>& attempts, int disable_after, absl::Duration disable_window,
                              absl::Time now) override;
  absl::StatusOr<std::vector<v1::Delivery>> ListDeliveries(const std::string& subscription_id, v1::DeliveryState state,
                                                           const std::string& message_id, const std::string& after_key,
                                                           int limit) override;
  absl::StatusOr<bool> Requeue(const DeliveryRecord& delivery, absl::Time now) override;

 private:
  storage::Database* db_;
  outbox::Inbox inbox_;
  const Clock* clock_;
  const SecretBox* box_;
};

}  // namespace kla::notification
