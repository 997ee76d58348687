#include "libs/outbox/outbox.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/metrics/metrics.h"

namespace kla::outbox {

using storage::Result;
using storage::Row;
using storage::Session;

std::string SchemaSql(absl::string_view prefix) {
  return absl::StrCat("CREATE TABLE ", prefix, "_outbox (",
                      " seq SERIAL_PK,"
                      " event_id TEXT NOT NULL UNIQUE,"
                      " target TEXT NOT NULL,"
                      " envelope BYTEA NOT NULL,"  // serialized kla.event.v1.EventEnvelope, frozen at enqueue
                      " created_at BIGINT NOT NULL,"
                      " attempts BIGINT NOT NULL DEFAULT 0,"
                      " next_attempt_at BIGINT NOT NULL,"
                      " delivered_at BIGINT,"
                      " last_error TEXT);",
                      "CREATE INDEX ", prefix, "_outbox_pending ON ", prefix, "_outbox (target, delivered_at, seq);",
                      "CREATE TABLE ", prefix, "_inbox (",
                      " event_id TEXT PRIMARY KEY,"
                      " source TEXT NOT NULL,"
                      " type_name TEXT NOT NULL,"
                      " received_at BIGINT NOT NULL);");
}

storage::Migration EventTablesMigration(const std::string& service) {
  return {1, "outbox and inbox", SchemaSql(service)};
}

absl::string_view TypeNameOf(const event::v1::EventEnvelope& event) {
  absl::string_view url = event.payload().type_url();
  const size_t slash = url.rfind('/');
  return slash == absl::string_view::npos ? url : url.substr(slash + 1);
}

absl::StatusOr<event::v1::EventEnvelope> Outbox::Enqueue(Session& session, absl::string_view target,
                                                         const google::protobuf::Message& payload) const {
  event::v1::EventEnvelope env;
  env.set_event_id(NewUuid());
  env.set_source(source_);
  env.set_target(std::string(target));
  const absl::Time now = clock_->Now();
  *env.mutable_occurred_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(storage::ToMicros(now));
  env.mutable_payload()->PackFrom(payload);
  KLA_RETURN_IF_ERROR(session
                          .Execute(absl::StrCat("INSERT INTO ", source_,
                                                "_outbox (event_id, target, envelope, created_at, attempts,"
                                                " next_attempt_at) VALUES (?, ?, ?, ?, 0, ?)"),
                                   {env.event_id(), std::string(target), storage::Blob(env.SerializeAsString()),
                                    storage::ToMicros(now), storage::ToMicros(now)})
                          .status());
  return env;
}

OutboxRelay::OutboxRelay(storage::Database* db, const std::string& prefix, SinkResolver sinks, const Clock* clock,
                         RelayOptions options, std::function<double()> jitter)
    : db_(db),
      table_(prefix + "_outbox"),
      source_(prefix),
      sinks_(std::move(sinks)),
      clock_(clock),
      options_(options),
      jitter_(std::move(jitter)),
      rng_(std::random_device{}()) {
  if (!jitter_) {
    jitter_ = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); };
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::Duration OutboxRelay::Backoff(int64_t attempts) {
  absl::Duration d = options_.initial_backoff;
  for (int64_t i = 1; i < attempts && d < options_.max_backoff; ++i) d *= 2;
  d = std::min(d, options_.max_backoff);
  return d / 2 + (d / 2) * jitter_();
}

absl::StatusOr<RelayPass> OutboxRelay::RunOnce() {
  RelayPass pass;
  KLA_ASSIGN_OR_RETURN(Result targets, db_->Execute(absl::StrCat("SELECT DISTINCT target FROM ", table_,
                                                                 " WHERE delivered_at IS NULL")));
  for (const Row& t : targets.rows) {
    const std::string target = t.Text(0);
    KLA_ASSIGN_OR_RETURN(Result pending,
                         db_->Execute(absl::StrCat("SELECT seq, envelope, attempts, next_attempt_at FROM ", table_,
                                                   " WHERE target = ? AND delivered_at IS NULL ORDER BY seq LIMIT ?"),
                                      {target, static_cast<int64_t>(options_.batch_size)}));
    EventSink* sink = sinks_(target);
    for (const Row& row : pending.rows) {
      const int64_t seq = row.Int(0);
      const int64_t attempts = row.Int(2);
      const absl::Time due = storage::FromMicros(row.Int(3));
      const absl::Time now = clock_->Now();
      if (due > now) {  // oldest event of this target not due yet: keep order, wait
        pass.next_due = std::min(pass.next_due, due);
        break;
      }
      event::v1::EventEnvelope env;
      if (!env.ParseFromString(row.Text(1))) {
        return absl::DataLossError(absl::StrCat("outbox row ", seq, " unreadable"));
      }
      absl::Status st = sink != nullptr
                            ? sink->Deliver(env, options_.call_timeout)
                            : absl::FailedPreconditionError(absl::StrCat("no address configured for ", target));
      if (st.ok()) {
        KLA_RETURN_IF_ERROR(
            db_->Execute(absl::StrCat("UPDATE ", table_, " SET delivered_at = ?, attempts = ? WHERE seq = ?"),
                         {storage::ToMicros(clock_->Now()), attempts + 1, seq})
                .status());
        ++pass.delivered;
        continue;
      }
      const absl::Time next = clock_->Now() + Backoff(attempts + 1);
      KLA_RETURN_IF_ERROR(db_->Execute(absl::StrCat("UPDATE ", table_,
                                                    " SET attempts = ?, next_attempt_at = ?, last_error = ?"
                                                    " WHERE seq = ?"),
                                       {attempts + 1, storage::ToMicros(next), std::string(st.message()), seq})
                              .status());
      log::Warn("event delivery failed", {{"event_id", env.event_id()},
                                          {"target", target},
                                          {"attempt", attempts + 1},
                                          {"error", std::string(st.message())},
                                          {"retry_in_ms", absl::ToInt64Milliseconds(next - clock_->Now())}});
      ++pass.failed;
      pass.next_due = std::min(pass.next_due, next);
      break;  // keep this target's order: nothing after it goes first
    }
    if (static_cast<int>(pending.rows.size()) == options_.batch_size && pass.next_due == absl::InfiniteFuture()) {
      pass.next_due = clock_->Now();  // more waiting beyond this batch
    }
  }
  return pass;
}

absl::StatusOr<std::vector<OutboxRelay::Backlog>> OutboxRelay::Backlogs() {
  KLA_ASSIGN_OR_RETURN(Result rows, db_->Execute(absl::StrCat("SELECT target, COUNT(*), MIN(created_at) FROM ", table_,
                                                              " WHERE delivered_at IS NULL GROUP BY target")));
  std::vector<Backlog> out;
  for (const Row& r : rows.rows) {
    out.push_back({r.Text(0), r.Int(1), std::max(absl::ZeroDuration(), clock_->Now() - storage::FromMicros(r.Int(2)))});
  }
  return out;
}

void OutboxRelay::Start() {
  worker_.Start();
  if (collector_ != 0) return;
  collector_ = metrics::AddCollector([this] {
    metrics::Samples events, oldest;
    // The targets with events waiting (none: caught up); a query that fails
    // shows nothing this scrape rather than failing it.
    if (auto backlogs = Backlogs(); backlogs.ok()) {
      for (const Backlog& b : *backlogs) {
        const std::map<std::string, std::string> labels = {{"source", source_}, {"target", b.target}};
        events.emplace_back(labels, static_cast<double>(b.events));
        oldest.emplace_back(labels, absl::ToDoubleSeconds(b.oldest));
      }
    }
    return std::vector<prometheus::MetricFamily>{
        metrics::GaugeFamily("kla_outbox_backlog_events", "Events waiting for delivery to another service", events),
        metrics::GaugeFamily("kla_outbox_oldest_event_age_seconds", "Age of the oldest event waiting, per target",
                             oldest)};
  });
}

void OutboxRelay::Stop() {
  if (collector_ != 0) metrics::RemoveCollector(collector_);
  collector_ = 0;
  worker_.Stop();
}

void OutboxRelay::Notify() { worker_.Wake(); }

absl::Duration OutboxRelay::Relay() {
  auto pass = RunOnce();
  if (!pass.ok()) {
    log::Warn("outbox relay pass failed", {{"table", table_}, {"error", std::string(pass.status().message())}});
    return options_.poll_interval;
  }
  if (pass->next_due == absl::InfiniteFuture()) return options_.poll_interval;
  return std::clamp(pass->next_due - clock_->Now(), absl::ZeroDuration(), options_.poll_interval);
}

absl::StatusOr<bool> Inbox::Record(Session& session, const event::v1::EventEnvelope& event, absl::Time now) const {
  KLA_ASSIGN_OR_RETURN(
      Result seen, session.Execute(absl::StrCat("SELECT 1 FROM ", table_, " WHERE event_id = ?"), {event.event_id()}));
  if (!seen.rows.empty()) return false;
  absl::Status st =
      session
          .Execute(
              absl::StrCat("INSERT INTO ", table_, " (event_id, source, type_name, received_at) VALUES (?, ?, ?, ?)"),
              {event.event_id(), event.source(), std::string(TypeNameOf(event)), storage::ToMicros(now)})
          .status();
  // A concurrent delivery of the same event committed first: our transaction
  // fails and the relay retries, then sees the duplicate.
  if (!st.ok()) return st.code() == absl::StatusCode::kAlreadyExists ? absl::AbortedError("concurrent delivery") : st;
  return true;
}

absl::StatusOr<bool> EventRouter::Consume(const event::v1::EventEnvelope& event) {
  if (auto it = handlers_.find(TypeNameOf(event)); it != handlers_.end()) return it->second(event);
  if (otherwise_) return otherwise_(event);
  return absl::FailedPreconditionError(absl::StrCat("unknown event type ", TypeNameOf(event)));
}

}  // namespace kla::outbox
