#include "services/notification/storage/sql_notification_store.h"

#include <google/protobuf/util/time_util.h>

#include <limits>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Blob;
using storage::Session;
using storage::Value;

int64_t Micros(const google::protobuf::Timestamp& ts) { return TimeUtil::TimestampToMicroseconds(ts); }

template <typename M>
absl::StatusOr<M> Parse(const std::string& bytes, absl::string_view what) {
  M m;
  if (!m.ParseFromString(bytes)) return absl::InternalError(absl::StrCat("stored ", what, " does not parse"));
  return m;
}

// Values sealed with the key when one is configured (base64 never holds '|').
std::string EncodeSecrets(const std::vector<Secret>& secrets, const SecretBox* box) {
  std::string out;
  for (const Secret& s : secrets) {
    absl::StrAppend(&out, s.secret_id, "|", box != nullptr ? box->Seal(s.value, s.secret_id) : s.value, "|",
                    absl::ToUnixMicros(s.created), "|", s.expires ? absl::StrCat(absl::ToUnixMicros(*s.expires)) : "",
                    "\n");
  }
  return out;
}

// Sealed or (stored before a key was configured) clear values.
absl::StatusOr<std::vector<Secret>> DecodeSecrets(const std::string& text, const SecretBox* box) {
  std::vector<Secret> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '|');
    if (f.size() != 4) continue;
    Secret s{f[0], f[1], absl::InfinitePast(), std::nullopt};
    if (SecretBox::IsSealed(s.value)) {
      if (box == nullptr) {
        return absl::FailedPreconditionError(
            "webhook secrets are encrypted: start the notification service with its --secrets-key-file");
      }
      KLA_ASSIGN_OR_RETURN(s.value, box->Open(s.value, s.secret_id));
    }
    int64_t us = 0;
    if (absl::SimpleAtoi(f[2], &us)) s.created = absl::FromUnixMicros(us);
    if (!f[3].empty() && absl::SimpleAtoi(f[3], &us)) s.expires = absl::FromUnixMicros(us);
    out.push_back(std::move(s));
  }
  return out;
}

constexpr char kSubscriptionColumns[] = "SELECT content, secrets, version FROM notification_subscriptions";

absl::StatusOr<StoredSubscription> SubscriptionRow(const storage::Row& row, const SecretBox* box) {
  StoredSubscription s;
  KLA_ASSIGN_OR_RETURN(s.subscription, Parse<v1::Subscription>(row.Text(0), "subscription"));
  KLA_ASSIGN_OR_RETURN(s.secrets, DecodeSecrets(row.Text(1), box));
  s.version = row.Int(2);
  return s;
}

absl::StatusOr<std::vector<StoredSubscription>> SubscriptionRows(const storage::Result& r, const SecretBox* box) {
  std::vector<StoredSubscription> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(StoredSubscription s, SubscriptionRow(row, box));
    out.push_back(std::move(s));
  }
  return out;
}

// Gives the next feed sequence to a message. The feed row's lock orders
// concurrent releases by commit, so readers never skip a sequence.
absl::Status Release(Session& tx, const std::string& message_id) {
  KLA_RETURN_IF_ERROR(tx.Execute("UPDATE notification_feed SET last = last + 1 WHERE id = 1").status());
  KLA_ASSIGN_OR_RETURN(storage::Result r, tx.Execute("SELECT last FROM notification_feed WHERE id = 1"));
  return tx
      .Execute("UPDATE notification_messages SET sequence = ? WHERE message_id = ?", {r.rows[0].Int(0), message_id})
      .status();
}

absl::Status InsertDelivery(Session& tx, const DeliveryRecord& d) {
  return tx
      .Execute(
          "INSERT INTO notification_deliveries (delivery_id, subscription_id, message_id, state, due_at, body, "
          "content) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {d.delivery.delivery_id(), d.delivery.subscription_id(), d.delivery.message_id(), int64_t{d.delivery.state()},
           Micros(d.delivery.next_attempt_time()), Blob(d.body), Blob(d.delivery.SerializeAsString())})
      .status();
}

absl::StatusOr<std::vector<v1::Notification>> MessageRows(const storage::Result& r) {
  std::vector<v1::Notification> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::Notification n, Parse<v1::Notification>(row.Text(1), "notification"));
    if (!row.IsNull(0)) n.set_sequence(row.Int(0));
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace

absl::StatusOr<StoredSubscription> SqlNotificationStore::CreateSubscription(const StoredSubscription& s,
                                                                            const std::string& request_id) {
  StoredSubscription out;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result existing,
                         tx.Execute(absl::StrCat(kSubscriptionColumns, " WHERE request_id = ?"), {request_id}));
    if (!existing.rows.empty()) {
      KLA_ASSIGN_OR_RETURN(out, SubscriptionRow(existing.rows[0], box_));
      return absl::OkStatus();
    }
    out = s;
    return tx
        .Execute(
            "INSERT INTO notification_subscriptions (subscription_id, owner, request_id, state, version, content, "
            "secrets, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {s.subscription.subscription_id(), s.subscription.owner(), request_id, int64_t{s.subscription.state()},
             s.version, Blob(s.subscription.SerializeAsString()), EncodeSecrets(s.secrets, box_),
             storage::ToMicros(clock_->Now())})
        .status();
  }));
  return out;
}

absl::StatusOr<std::optional<StoredSubscription>> SqlNotificationStore::GetSubscription(const std::string& id) {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute(absl::StrCat(kSubscriptionColumns, " WHERE subscription_id = ?"), {id}));
  if (r.rows.empty()) return std::optional<StoredSubscription>();
  KLA_ASSIGN_OR_RETURN(StoredSubscription s, SubscriptionRow(r.rows[0], box_));
  return std::optional<StoredSubscription>(std::move(s));
}

absl::StatusOr<std::vector<StoredSubscription>> SqlNotificationStore::ListSubscriptions(const std::string& owner,
                                                                                        const std::string& after_id,
                                                                                        int limit) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      owner.empty()
          ? db_->Execute(
                absl::StrCat(kSubscriptionColumns, " WHERE subscription_id > ? ORDER BY subscription_id LIMIT ?"),
                {after_id, int64_t{limit}})
          : db_->Execute(absl::StrCat(kSubscriptionColumns,
                                      " WHERE owner = ? AND subscription_id > ? ORDER BY subscription_id LIMIT ?"),
                         {owner, after_id, int64_t{limit}}));
  return SubscriptionRows(r, box_);
}

absl::Status SqlNotificationStore::UpdateSubscription(const StoredSubscription& s, int64_t expected_version) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      db_->Execute("UPDATE notification_subscriptions SET state = ?, version = ?, content = ?, secrets = ? WHERE "
                   "subscription_id = ? AND version = ?",
                   {int64_t{s.subscription.state()}, s.version, Blob(s.subscription.SerializeAsString()),
                    EncodeSecrets(s.secrets, box_), s.subscription.subscription_id(), expected_version}));
  if (r.affected_rows == 0) {
    return StaleEtag(absl::StrCat("subscription ", s.subscription.subscription_id(), " changed meanwhile"));
  }
  return absl::OkStatus();
}

absl::Status SqlNotificationStore::DeleteSubscription(const std::string& id, int64_t expected_version) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result r,
                         tx.Execute("DELETE FROM notification_subscriptions WHERE subscription_id = ? AND version = ?",
                                    {id, expected_version}));
    if (r.affected_rows == 0) return StaleEtag(absl::StrCat("subscription ", id, " changed meanwhile"));
    return tx.Execute("DELETE FROM notification_deliveries WHERE subscription_id = ?", {id}).status();
  });
}

absl::StatusOr<std::vector<StoredSubscription>> SqlNotificationStore::ActiveSubscriptions() {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute(absl::StrCat(kSubscriptionColumns, " WHERE state = ?"),
                                                       {int64_t{v1::SUBSCRIPTION_STATE_ACTIVE}}));
  return SubscriptionRows(r, box_);
}

absl::StatusOr<bool> SqlNotificationStore::Accept(const event::v1::EventEnvelope& event, const v1::Notification& n,
                                                  const std::vector<DeliveryRecord>& deliveries, absl::Time now) {
  bool duplicate = false;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(bool fresh, inbox_.Record(tx, event, now));
    if (!fresh) {
      duplicate = true;
      return absl::OkStatus();
    }
    KLA_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO notification_messages (message_id, sequence, publish_at, accepted_at, "
                   "content) VALUES (?, NULL, ?, ?, ?)",
                   {n.message_id(), Micros(n.publish_time()), storage::ToMicros(now), Blob(n.SerializeAsString())})
            .status());
    if (Micros(n.publish_time()) <= storage::ToMicros(now)) {
      KLA_RETURN_IF_ERROR(Release(tx, n.message_id()));
    }
    for (const DeliveryRecord& d : deliveries) KLA_RETURN_IF_ERROR(InsertDelivery(tx, d));
    return absl::OkStatus();
  }));
  return duplicate;
}

absl::StatusOr<int> SqlNotificationStore::ReleaseDue(absl::Time now) {
  int released = 0;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result due,
                         tx.Execute("SELECT message_id FROM notification_messages WHERE sequence IS NULL AND "
                                    "publish_at <= ? ORDER BY publish_at, accepted_at, message_id",
                                    {storage::ToMicros(now)}));
    for (const auto& row : due.rows) {
      KLA_RETURN_IF_ERROR(Release(tx, row.Text(0)));
      ++released;
    }
    return absl::OkStatus();
  }));
  return released;
}

absl::StatusOr<std::vector<v1::Notification>> SqlNotificationStore::ReadFeed(int64_t after_sequence, int limit) {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT sequence, content FROM notification_messages WHERE sequence > ? ORDER BY "
                                    "sequence LIMIT ?",
                                    {after_sequence, int64_t{limit}}));
  return MessageRows(r);
}

absl::StatusOr<std::vector<v1::Notification>> SqlNotificationStore::ReadFeedBackward(int64_t before_sequence,
                                                                                     int limit) {
  if (before_sequence <= 0) before_sequence = std::numeric_limits<int64_t>::max();
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT sequence, content FROM notification_messages WHERE sequence < ? ORDER BY "
                                    "sequence DESC LIMIT ?",
                                    {before_sequence, int64_t{limit}}));
  return MessageRows(r);
}

absl::StatusOr<std::vector<v1::Notification>> SqlNotificationStore::NotificationsSince(absl::Time since) {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT sequence, content FROM notification_messages WHERE accepted_at >= ? ORDER "
                                    "BY accepted_at, message_id",
                                    {storage::ToMicros(since)}));
  return MessageRows(r);
}

absl::StatusOr<std::optional<v1::Notification>> SqlNotificationStore::GetNotification(const std::string& message_id) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      db_->Execute("SELECT sequence, content FROM notification_messages WHERE message_id = ?", {message_id}));
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Notification> found, MessageRows(r));
  if (found.empty()) return std::optional<v1::Notification>();
  return std::optional<v1::Notification>(std::move(found[0]));
}

absl::StatusOr<std::vector<DeliveryRecord>> SqlNotificationStore::ClaimDue(absl::Time now, int limit,
                                                                           absl::Duration lease) {
  std::vector<DeliveryRecord> out;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    out.clear();
    KLA_ASSIGN_OR_RETURN(
        storage::Result due,
        tx.Execute("SELECT delivery_id, due_at, body, content FROM notification_deliveries WHERE state IN (?, ?) AND "
                   "due_at <= ? ORDER BY due_at, delivery_id LIMIT ?",
                   {int64_t{v1::DELIVERY_STATE_HELD}, int64_t{v1::DELIVERY_STATE_PENDING}, storage::ToMicros(now),
                    int64_t{limit}}));
    for (const auto& row : due.rows) {
      // Claimed by moving its due time to the end of the lease.
      KLA_ASSIGN_OR_RETURN(storage::Result claimed,
                           tx.Execute("UPDATE notification_deliveries SET due_at = ? WHERE delivery_id = ? AND "
                                      "due_at = ?",
                                      {storage::ToMicros(now + lease), row.Text(0), row.Int(1)}));
      if (claimed.affected_rows == 0) continue;
      DeliveryRecord d;
      d.body = row.Text(2);
      KLA_ASSIGN_OR_RETURN(d.delivery, Parse<v1::Delivery>(row.Text(3), "delivery"));
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SqlNotificationStore::RecordAttempts(const std::vector<Attempt>& attempts, int disable_after,
                                                  absl::Duration disable_window, absl::Time now) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    std::map<std::string, std::optional<StoredSubscription>> subs;  // read once, written once
    std::map<std::string, bool> disabled;
    for (const Attempt& a : attempts) {
      const v1::Delivery& delivery = a.delivery;
      KLA_RETURN_IF_ERROR(
          tx.Execute("UPDATE notification_deliveries SET state = ?, due_at = ?, content = ? WHERE delivery_id = ?",
                     {int64_t{delivery.state()},
                      delivery.has_next_attempt_time() ? Value(Micros(delivery.next_attempt_time())) : storage::Null(),
                      Blob(delivery.SerializeAsString()), delivery.delivery_id()})
              .status());
      const std::string& id = delivery.subscription_id();
      if (!subs.contains(id)) {
        KLA_ASSIGN_OR_RETURN(storage::Result r,
                             tx.Execute(absl::StrCat(kSubscriptionColumns, " WHERE subscription_id = ?"), {id}));
        if (r.rows.empty()) {
          subs[id] = std::nullopt;  // deleted meanwhile
        } else {
          KLA_ASSIGN_OR_RETURN(StoredSubscription stored, SubscriptionRow(r.rows[0], box_));
          subs[id] = std::move(stored);
        }
      }
      if (!subs[id]) continue;
      v1::Subscription& sub = subs[id]->subscription;
      sub.set_consecutive_failures(a.success ? 0 : sub.consecutive_failures() + 1);
      if (a.success) {
        sub.clear_failing_since();
      } else if (!sub.has_failing_since()) {
        *sub.mutable_failing_since() = TimeUtil::MicrosecondsToTimestamp(storage::ToMicros(now));
      }
      const bool sustained =
          sub.has_failing_since() &&
          now - absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(sub.failing_since())) >= disable_window;
      if (!a.success && sub.state() == v1::SUBSCRIPTION_STATE_ACTIVE &&
          (a.gone || (sub.consecutive_failures() >= disable_after && sustained))) {
        sub.set_state(v1::SUBSCRIPTION_STATE_DISABLED);
        sub.set_disabled_reason(
            a.gone ? "the receiver answered 410 Gone: the endpoint no longer exists"
                   : absl::StrCat(sub.consecutive_failures(), " failed attempts in a row; last: ",
                                  delivery.attempts().empty() ? "" : delivery.attempts().rbegin()->error()));
        *sub.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(storage::ToMicros(now));
        disabled[id] = true;
      }
    }
    for (const auto& [id, s] : subs) {
      if (!s) continue;
      // Disabling changes the etag; counting failures alone does not.
      KLA_RETURN_IF_ERROR(tx.Execute("UPDATE notification_subscriptions SET state = ?, content = ?, version = version "
                                     "+ ? WHERE subscription_id = ?",
                                     {int64_t{s->subscription.state()}, Blob(s->subscription.SerializeAsString()),
                                      int64_t{disabled[id] ? 1 : 0}, id})
                              .status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Delivery>> SqlNotificationStore::ListDeliveries(const std::string& subscription_id,
                                                                               v1::DeliveryState state,
                                                                               const std::string& message_id,
                                                                               const std::string& after_key,
                                                                               int limit) {
  std::string sql = "SELECT content FROM notification_deliveries WHERE subscription_id = ?";
  std::vector<Value> params = {subscription_id};
  if (state != v1::DELIVERY_STATE_UNSPECIFIED) {
    sql += " AND state = ?";
    params.emplace_back(int64_t{state});
  }
  if (!message_id.empty()) {
    sql += " AND message_id = ?";
    params.emplace_back(message_id);
  }
  if (!after_key.empty()) {
    sql += " AND delivery_id < ?";
    params.emplace_back(after_key);
  }
  sql += " ORDER BY delivery_id DESC LIMIT ?";
  params.emplace_back(int64_t{limit});
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute(sql, params));
  std::vector<v1::Delivery> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::Delivery d, Parse<v1::Delivery>(row.Text(0), "delivery"));
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<bool> SqlNotificationStore::Requeue(const DeliveryRecord& d, absl::Time now) {
  bool queued = false;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result existing,
                         tx.Execute("SELECT content FROM notification_deliveries WHERE subscription_id = ? AND "
                                    "message_id = ?",
                                    {d.delivery.subscription_id(), d.delivery.message_id()}));
    if (existing.rows.empty()) {
      queued = true;
      return InsertDelivery(tx, d);
    }
    // The same delivery again: same webhook-id and body; its log goes on.
    KLA_ASSIGN_OR_RETURN(v1::Delivery stored, Parse<v1::Delivery>(existing.rows[0].Text(0), "delivery"));
    stored.set_state(d.delivery.state());
    *stored.mutable_next_attempt_time() = d.delivery.next_attempt_time();
    *stored.mutable_queue_time() = TimeUtil::MicrosecondsToTimestamp(storage::ToMicros(now));
    queued = true;
    return tx
        .Execute("UPDATE notification_deliveries SET state = ?, due_at = ?, content = ? WHERE delivery_id = ?",
                 {int64_t{stored.state()}, Micros(stored.next_attempt_time()), Blob(stored.SerializeAsString()),
                  stored.delivery_id()})
        .status();
  }));
  return queued;
}

}  // namespace kla::notification
