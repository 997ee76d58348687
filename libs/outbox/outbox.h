#pragma once

// Transactional outbox (sender side) and inbox (receiver side).
//
// A service writes the events describing a state change with Outbox::Enqueue
// inside the same database transaction as the change, so either both are
// stored or neither. OutboxRelay then delivers pending events to their
// target service, in order per target, retrying with capped exponential
// backoff and jitter until the target acknowledges. A receiver records each
// event id in its inbox in the same transaction as applying the event, so a
// repeated delivery is acknowledged without being applied twice.

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kla/event/v1/event.pb.h"
#include "libs/common/clock.h"
#include "libs/common/periodic_worker.h"
#include "libs/storage/database.h"
#include "libs/storage/migrations.h"

namespace kla::outbox {

// DDL for a service's outbox and inbox tables ("<prefix>_outbox",
// "<prefix>_inbox"); include it in one of the service's migrations.
std::string SchemaSql(absl::string_view prefix);

// Migration 1 of every service: its outbox and inbox.
storage::Migration EventTablesMigration(const std::string& service);

class Outbox {
 public:
  // `source` is the producing service's name; it also prefixes the tables.
  Outbox(std::string source, const Clock* clock) : source_(std::move(source)), clock_(clock) {}

  // Stores an event for `target` in the caller's transaction and returns its
  // envelope (with the new event id).
  absl::StatusOr<event::v1::EventEnvelope> Enqueue(storage::Session& session, absl::string_view target,
                                                   const google::protobuf::Message& payload) const;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  const Clock* clock_;
};

// Where the relay hands events: the target service's EventInbox, over gRPC.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // OK once the target has durably applied (or already had) the event.
  // `timeout` is real time (the call's deadline), whatever clock the relay
  // schedules retries with.
  virtual absl::Status Deliver(const event::v1::EventEnvelope& event, absl::Duration timeout) = 0;
};

struct RelayOptions {
  int batch_size = 100;
  // Deadline of each delivery call.
  absl::Duration call_timeout = absl::Seconds(5);
  // Backoff after the n-th failed attempt: min(cap, initial * 2^(n-1)),
  // then "equal jitter": half of it fixed, half random, so that many
  // senders retrying after an outage do not arrive together.
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Minutes(5);
  // How often the background loop looks for due events when nothing wakes it.
  absl::Duration poll_interval = absl::Milliseconds(500);
};

struct RelayPass {
  int delivered = 0;
  int failed = 0;
  // Earliest time a pending event becomes due (InfiniteFuture if none).
  absl::Time next_due = absl::InfiniteFuture();
};

class OutboxRelay {
 public:
  using SinkResolver = std::function<EventSink*(absl::string_view target)>;
  // `jitter` returns a uniform value in [0, 1); injectable for tests.
  OutboxRelay(storage::Database* db, const std::string& prefix, SinkResolver sinks, const Clock* clock,
              RelayOptions options = {}, std::function<double()> jitter = nullptr);
  ~OutboxRelay();

  // Delivers what is due now, oldest first per target; a failure stops that
  // target for this pass (order is kept) but not the others.
  absl::StatusOr<RelayPass> RunOnce();

  // Background loop: RunOnce whenever woken (Notify), when the next retry
  // is due, or every poll interval.
  void Start();
  void Stop();
  // Wakes the loop, e.g. right after a transaction that enqueued events.
  void Notify();

  // Backoff before attempt `attempts + 1`.
  absl::Duration Backoff(int64_t attempts);

  // Events not yet delivered, per target: how many, and the oldest's age.
  struct Backlog {
    std::string target;
    int64_t events = 0;
    absl::Duration oldest = absl::ZeroDuration();
  };
  absl::StatusOr<std::vector<Backlog>> Backlogs();

 private:
  // The worker's pass: RunOnce; rests until the next retry is due, at most
  // a poll interval.
  absl::Duration Relay();

  storage::Database* db_;
  const std::string table_;
  const std::string source_;  // the prefix: the service sending
  SinkResolver sinks_;
  const Clock* clock_;
  const RelayOptions options_;
  std::function<double()> jitter_;
  std::mt19937_64 rng_;

  int collector_ = 0;  // its metrics (kla_outbox_backlog_events, ..._oldest_seconds) while started
  PeriodicWorker worker_{{.interval = options_.poll_interval}, PeriodicWorker::Pass([this] { return Relay(); })};
};

// Receiver side: remembers applied event ids.
class Inbox {
 public:
  explicit Inbox(const std::string& prefix) : table_(prefix + "_inbox") {}
  // In the receiver's transaction: true when the event is new (and is now
  // recorded), false when it was applied before.
  absl::StatusOr<bool> Record(storage::Session& session, const event::v1::EventEnvelope& event, absl::Time now) const;

 private:
  std::string table_;
};

// A service's consumer of events addressed to it.
class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  // Applies the event at most once. Returns true when it was a duplicate.
  // FAILED_PRECONDITION for an event type this consumer does not know.
  virtual absl::StatusOr<bool> Consume(const event::v1::EventEnvelope& event) = 0;
};

// The one way a service consumes events: a handler per payload type, each
// applying its event at most once (recording the event id in the service's
// inbox in the same transaction as its effect, as the service's store does).
// An event of a type nobody handles is refused (FAILED_PRECONDITION), so the
// relay keeps it rather than losing it.
class EventRouter final : public EventConsumer {
 public:
  using Handler = std::function<absl::StatusOr<bool>(const event::v1::EventEnvelope&)>;

  // Handles payloads of type M; INVALID_ARGUMENT when one does not parse.
  template <typename M>
  void On(std::function<absl::StatusOr<bool>(const event::v1::EventEnvelope&, const M&)> handler) {
    handlers_[std::string(M::descriptor()->full_name())] =
        [handler = std::move(handler)](const event::v1::EventEnvelope& e) -> absl::StatusOr<bool> {
      M message;
      if (!e.payload().UnpackTo(&message)) return absl::InvalidArgumentError("payload does not parse");
      return handler(e, message);
    };
  }
  // Handles every other type: for a service whose intake reads the
  // envelope itself (and refuses what it does not know).
  void Otherwise(Handler handler) { otherwise_ = std::move(handler); }

  absl::StatusOr<bool> Consume(const event::v1::EventEnvelope& event) override;

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
  Handler otherwise_;
};

// The full message name inside an Any type URL.
absl::string_view TypeNameOf(const event::v1::EventEnvelope& event);

}  // namespace kla::outbox
