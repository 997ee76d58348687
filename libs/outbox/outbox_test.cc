// Outbox and inbox on both engines: transactional enqueue, backoff, order,
// and delivery over real gRPC to a receiver that fails, hangs and restarts.

#include "libs/outbox/outbox.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>

#include "absl/strings/str_cat.h"
#include "kla/type/v1/evaluation.pb.h"
#include "libs/outbox/grpc/grpc_event.h"
#include "libs/storage/migrations.h"
#include "libs/testing/auth.h"
#include "libs/testing/engines.h"
#include "libs/testing/process.h"

namespace kla::outbox {
namespace {

using storage::Session;

using testing::Engine;
using testing::NewTestDatabase;

// A sink whose answers the test scripts.
class ScriptedSink final : public EventSink {
 public:
  absl::Status Deliver(const event::v1::EventEnvelope& e, absl::Duration) override {
    calls.push_back(e.event_id());
    if (!script.empty()) {
      absl::Status st = script.front();
      script.pop_front();
      return st;
    }
    return absl::OkStatus();
  }
  std::deque<absl::Status> script;
  std::vector<std::string> calls;
};

kla::type::v1::Points Payload(int64_t n) {
  kla::type::v1::Points p;
  p.set_hundredths(n);
  return p;
}

class OutboxTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = NewTestDatabase(GetParam(), dir_, "sender");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "sender", {{1, "outbox", SchemaSql("sender")}}).ok());
  }

  std::string Enqueue(const std::string& target, int64_t n) {
    std::string id;
    EXPECT_TRUE(db_->InTransaction(storage::TxMode::kWrite,
                                   [&](Session& s) -> absl::Status {
                                     auto env = outbox_.Enqueue(s, target, Payload(n));
                                     if (!env.ok()) return env.status();
                                     id = env->event_id();
                                     return absl::OkStatus();
                                   })
                    .ok());
    return id;
  }

  int64_t Pending() {
    return db_->Execute("SELECT COUNT(*) FROM sender_outbox WHERE delivered_at IS NULL")->rows[0].Int(0);
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  Outbox outbox_{"sender", &clock_};
  ScriptedSink sink_a_, sink_b_;
  RelayOptions options_{.initial_backoff = absl::Seconds(1), .max_backoff = absl::Seconds(60)};
};

TEST_P(OutboxTest, EnqueueIsPartOfTheCallersTransaction) {
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, [&](Session& s) -> absl::Status {
    auto env = outbox_.Enqueue(s, "a", Payload(1));
    if (!env.ok()) return env.status();
    return absl::AbortedError("state change failed");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Pending(), 0);
  Enqueue("a", 1);
  EXPECT_EQ(Pending(), 1);
}

TEST_P(OutboxTest, RetriesWithBackoffUntilDelivered) {
  OutboxRelay relay(
      db_.get(), "sender", [this](absl::string_view) -> EventSink* { return &sink_a_; }, &clock_, options_,
      [] { return 0.5; });
  const std::string id = Enqueue("a", 1);
  sink_a_.script = {absl::UnavailableError("down"), absl::DeadlineExceededError("slow"),
                    absl::UnavailableError("down")};
  // Attempt 1 fails: retry after 1s/2 + 1s/2*0.5 = 750ms.
  auto p = relay.RunOnce();
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->failed, 1);
  EXPECT_EQ(p->next_due, clock_.Now() + absl::Milliseconds(750));
  // Not due yet: nothing is sent.
  clock_.Advance(absl::Milliseconds(700));
  EXPECT_EQ(relay.RunOnce()->failed, 0);
  EXPECT_EQ(sink_a_.calls.size(), 1u);
  clock_.Advance(absl::Milliseconds(50));
  EXPECT_EQ(relay.RunOnce()->failed, 1);  // attempt 2: next in 1.5s
  clock_.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(relay.RunOnce()->failed, 1);  // attempt 3: next in 3s
  clock_.Advance(absl::Seconds(3));
  p = relay.RunOnce();
  EXPECT_EQ(p->delivered, 1);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(sink_a_.calls, std::vector<std::string>(4, id));
  auto row = db_->Execute("SELECT attempts, last_error FROM sender_outbox");
  EXPECT_EQ(row->rows[0].Int(0), 4);
  EXPECT_EQ(row->rows[0].Text(1), "down");
}

TEST_P(OutboxTest, BackoffIsCappedAndJittered) {
  OutboxRelay low(db_.get(), "sender", nullptr, &clock_, options_, [] { return 0.0; });
  OutboxRelay high(db_.get(), "sender", nullptr, &clock_, options_, [] { return 0.999999; });
  EXPECT_EQ(low.Backoff(1), absl::Milliseconds(500));
  EXPECT_EQ(low.Backoff(3), absl::Seconds(2));
  EXPECT_EQ(low.Backoff(40), absl::Seconds(30));
  EXPECT_LE(high.Backoff(40), absl::Seconds(60));
  EXPECT_GT(high.Backoff(40), absl::Seconds(59));
}

TEST_P(OutboxTest, KeepsOrderPerTargetAndIsolatesTargets) {
  OutboxRelay relay(
      db_.get(), "sender", [this](absl::string_view t) -> EventSink* { return t == "a" ? &sink_a_ : &sink_b_; },
      &clock_, options_, [] { return 0.5; });
  const std::string a1 = Enqueue("a", 1), b1 = Enqueue("b", 2), a2 = Enqueue("a", 3), b2 = Enqueue("b", 4);
  sink_a_.script = {absl::UnavailableError("down")};
  auto p = relay.RunOnce();
  EXPECT_EQ(p->delivered, 2);  // both for b
  EXPECT_EQ(p->failed, 1);     // a1; a2 waits behind it
  EXPECT_EQ(sink_a_.calls, std::vector<std::string>({a1}));
  EXPECT_EQ(sink_b_.calls, std::vector<std::string>({b1, b2}));
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(relay.RunOnce()->delivered, 2);
  EXPECT_EQ(sink_a_.calls, std::vector<std::string>({a1, a1, a2}));
}

TEST_P(OutboxTest, MissingAddressIsRetriedNotDropped) {
  OutboxRelay relay(
      db_.get(), "sender", [](absl::string_view) -> EventSink* { return nullptr; }, &clock_, options_,
      [] { return 0.5; });
  Enqueue("nowhere", 1);
  EXPECT_EQ(relay.RunOnce()->failed, 1);
  EXPECT_EQ(Pending(), 1);
}

// ---------------------------------------------------------------------------
// Over gRPC, with a receiver that fails, hangs past the deadline after
// applying (the acknowledgement is lost), and restarts.

class TestReceiver {
 public:
  enum class Mode { kOk, kFail, kApplyThenHang };

  // The inbox check and the effect in one transaction, as a service's
  // store does it.
  TestReceiver(storage::Database* db, const Clock* clock) : db_(db), clock_(clock) {
    consumer_.On<type::v1::Points>(
        [this](const event::v1::EventEnvelope& e, const type::v1::Points&) -> absl::StatusOr<bool> {
          bool duplicate = false;
          absl::Status st = db_->InTransaction(storage::TxMode::kWrite, [&](Session& s) -> absl::Status {
            auto fresh = inbox_.Record(s, e, clock_->Now());
            if (!fresh.ok()) return fresh.status();
            if (!*fresh) {
              duplicate = true;
              return absl::OkStatus();
            }
            if (mode_ == Mode::kFail) return absl::UnavailableError("receiver database is down");
            return s
                .Execute(
                    "INSERT INTO applied (event_id, times) VALUES (?, 1) ON CONFLICT (event_id) DO UPDATE"
                    " SET times = applied.times + 1",
                    {e.event_id()})
                .status();
          });
          if (!st.ok()) return st;
          return duplicate;
        });
    service_.AddConsumer("receiver", &hanging_);
  }

  void Start(int port) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials());
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void Stop() {
    release_ = true;
    cv_.notify_all();
    server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
    release_ = false;
  }
  void set_mode(Mode m) { mode_ = m; }

  int64_t Applied(const std::string& event_id) {
    auto r = db_->Execute("SELECT times FROM applied WHERE event_id = ?", {event_id});
    return r.ok() && !r->rows.empty() ? r->rows[0].Int(0) : 0;
  }

 private:
  // Wraps the consumer to hang after applying when asked to.
  class Hanging final : public EventConsumer {
   public:
    explicit Hanging(TestReceiver* r) : r_(r) {}
    absl::StatusOr<bool> Consume(const event::v1::EventEnvelope& e) override {
      auto result = r_->consumer_.Consume(e);
      if (r_->mode_ == Mode::kApplyThenHang) {
        r_->mode_ = Mode::kOk;  // hang once
        std::unique_lock lock(r_->mu_);
        r_->cv_.wait_for(lock, std::chrono::seconds(5), [this] { return r_->release_.load(); });
      }
      return result;
    }

   private:
    TestReceiver* r_;
  };

  storage::Database* db_;
  const Clock* clock_;
  Inbox inbox_{"receiver"};
  EventRouter consumer_;
  Hanging hanging_{this};
  // Only kla services may deliver: the relay must present a SERVICE token.
  auth::TokenVerifier verifier_{SystemClock::Get()};
  auth::AccessPolicy access_ = [] {
    auth::AccessPolicy p;
    if (!p.Add(EventInboxAccessRules()).ok()) std::abort();
    return p;
  }();
  rpc::Guard guard_{&verifier_, &access_};

 public:
  testing::TestTokens tokens_{&verifier_};

 private:
  EventInboxService service_{rpc::CallPolicy{.guard = &guard_}};
  std::unique_ptr<grpc::Server> server_;
  std::atomic<Mode> mode_{Mode::kOk};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> release_{false};
};

TEST_P(OutboxTest, GrpcDeliveryThroughFailuresTimeoutsAndRestartsLosesNothingAndAppliesOnce) {
  auto rdb = NewTestDatabase(GetParam(), dir_, "receiver");
  ASSERT_TRUE(rdb.ok());
  ASSERT_TRUE(
      storage::ApplyMigrations(**rdb, "receiver",
                               {{1, "inbox", SchemaSql("receiver")},
                                {2, "applied", "CREATE TABLE applied (event_id TEXT PRIMARY KEY, times BIGINT)"}})
          .ok());
  TestReceiver receiver(rdb->get(), &clock_);
  const int port = testing::FreePort();
  receiver.Start(port);
  GrpcSinkDirectory sinks({{"receiver", "127.0.0.1:" + std::to_string(port)}});
  sinks.SetTokenProvider([&](absl::string_view service) -> absl::StatusOr<std::string> {
    EXPECT_EQ(service, "sender");
    return receiver.tokens_.For(testing::TestTokens::Of(auth::Role::kService, "svc.sender"));
  });
  RelayOptions opts = options_;
  opts.call_timeout = absl::Seconds(1);  // the hanging receiver holds its answer for 5 s
  OutboxRelay relay(
      db_.get(), "sender", [&](absl::string_view t) { return sinks.Get(t); }, &clock_, opts, [] { return 0.5; });

  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Enqueue("receiver", i));

  // 1. The receiver fails: nothing applied, all pending.
  receiver.set_mode(TestReceiver::Mode::kFail);
  EXPECT_EQ(relay.RunOnce()->failed, 1);
  EXPECT_EQ(receiver.Applied(ids[0]), 0);

  // 2. It applies the first event but answers too late: the relay times out
  //    and retries; the receiver recognises the repeat.
  receiver.set_mode(TestReceiver::Mode::kApplyThenHang);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(relay.RunOnce()->failed, 1);
  EXPECT_EQ(receiver.Applied(ids[0]), 1);

  // 3. It goes down and comes back on the same port.
  receiver.Stop();
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(relay.RunOnce()->failed, 1);
  receiver.Start(port);
  // The relay reconnects on its own; on a loaded machine the first call may
  // still miss its short deadline, so allow a few passes (not a wait: each
  // pass is a real attempt, and the clock moves past the backoff).
  int delivered = 0;
  for (int pass = 0; pass < 10 && delivered < 5; ++pass) {
    clock_.Advance(absl::Minutes(6));
    auto p = relay.RunOnce();
    ASSERT_TRUE(p.ok());
    delivered += p->delivered;
  }
  EXPECT_EQ(delivered, 5);

  EXPECT_EQ(Pending(), 0);
  for (const auto& id : ids) EXPECT_EQ(receiver.Applied(id), 1) << id;
  receiver.Stop();
}

TEST(EventRouterTest, EachTypeGoesToItsHandlerAndNothingIsDroppedSilently) {
  EventRouter router;
  int64_t seen = 0;
  router.On<type::v1::Points>([&](const event::v1::EventEnvelope&, const type::v1::Points& p) -> absl::StatusOr<bool> {
    seen = p.hundredths();
    return false;
  });
  event::v1::EventEnvelope points;
  points.mutable_payload()->PackFrom(Payload(74250));
  ASSERT_TRUE(router.Consume(points).ok());
  EXPECT_EQ(seen, 74250);

  // A type nobody handles is refused, so the relay keeps it.
  event::v1::EventEnvelope other;
  other.mutable_payload()->PackFrom(event::v1::DeliverResponse());
  EXPECT_EQ(router.Consume(other).status().code(), absl::StatusCode::kFailedPrecondition);

  // A payload that claims a type but does not parse as it.
  event::v1::EventEnvelope broken = points;
  broken.mutable_payload()->set_value("\xff\xff\xff");
  EXPECT_EQ(router.Consume(broken).status().code(), absl::StatusCode::kInvalidArgument);

  // A service with its own intake takes every other type.
  router.Otherwise([](const event::v1::EventEnvelope&) -> absl::StatusOr<bool> { return true; });
  EXPECT_EQ(router.Consume(other).value_or(false), true);
}

INSTANTIATE_TEST_SUITE_P(Engines, OutboxTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::outbox
