#include "services/notification/storage/migrations.h"

#include "libs/outbox/outbox.h"

namespace kla::notification {

const std::vector<storage::Migration>& NotificationMigrations() {
  static const std::vector<storage::Migration> kMigrations = {
      outbox::EventTablesMigration("notification"),
      {2, "subscriptions, notifications, deliveries", R"sql(
CREATE TABLE notification_subscriptions (
  subscription_id TEXT PRIMARY KEY,
  owner           TEXT NOT NULL,
  request_id      TEXT NOT NULL UNIQUE,      -- the creating request, for safe retries
  state           BIGINT NOT NULL,           -- kla.notification.v1.SubscriptionState number
  version         BIGINT NOT NULL,           -- the etag
  content         BYTEA NOT NULL,            -- serialized kla.notification.v1.Subscription
  secrets         TEXT NOT NULL,             -- one per line: id|whsec_...|created|expires (unix us)
  created_at      BIGINT NOT NULL
);
CREATE INDEX notification_subscriptions_owner ON notification_subscriptions (owner, subscription_id);
CREATE TABLE notification_messages (       -- frozen when accepted
  message_id  TEXT PRIMARY KEY,
  sequence    BIGINT UNIQUE,                 -- feed position; NULL until its publish time (embargo)
  publish_at  BIGINT NOT NULL,
  accepted_at BIGINT NOT NULL,
  content     BYTEA NOT NULL                 -- serialized kla.notification.v1.Notification (no text)
);
CREATE INDEX notification_messages_held ON notification_messages (publish_at);
CREATE INDEX notification_messages_accepted ON notification_messages (accepted_at);
CREATE TABLE notification_feed (           -- one row: the last sequence given; its row lock orders releases
  id   BIGINT PRIMARY KEY,
  last BIGINT NOT NULL
);
INSERT INTO notification_feed (id, last) VALUES (1, 0);
CREATE TABLE notification_deliveries (
  delivery_id     TEXT PRIMARY KEY,          -- sorts by creation time
  subscription_id TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  state           BIGINT NOT NULL,           -- kla.notification.v1.DeliveryState number
  due_at          BIGINT,                    -- next attempt (or end of a worker's lease)
  body            BYTEA NOT NULL,            -- the exact bytes sent, frozen
  content         BYTEA NOT NULL,            -- serialized kla.notification.v1.Delivery with its attempts
  UNIQUE (subscription_id, message_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (state, due_at);
CREATE INDEX notification_deliveries_subscription ON notification_deliveries (subscription_id, delivery_id);
)sql"},
  };
  return kMigrations;
}

}  // namespace kla::notification
