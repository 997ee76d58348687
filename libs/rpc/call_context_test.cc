#include "libs/rpc/call_context.h"

#include <gtest/gtest.h>

#include "grpc/health/v1/health.pb.h"

namespace kla::rpc {
namespace {

class CallContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(access_.Add({{.method = "grpc.health.v1.Health.Check", .roles = {auth::Role::kPublic}}}).ok());
  }
  FakeClock clock_;
  auth::TokenVerifier verifier_{&clock_};
  auth::AccessPolicy access_;
  Guard guard_{&verifier_, &access_};
  grpc::health::v1::HealthCheckRequest request_;
};

TEST_F(CallContextTest, CallWithoutDeadlineGetsTheDefault) {
  CallPolicy policy{.default_deadline = absl::Seconds(7), .deadline_clock = &clock_};
  grpc::ServerContext ctx;  // no client deadline
  EXPECT_EQ(EffectiveDeadline(ctx, policy), clock_.Now() + absl::Seconds(7));
}

TEST_F(CallContextTest, RunUnaryRefusesExpiredCallsAndMapsErrors) {
  CallPolicy policy{.default_deadline = absl::Seconds(1), .deadline_clock = &clock_, .guard = &guard_};
  grpc::ServerContext ctx;
  bool ran = false;
  grpc::Status s = RunUnary(&ctx, policy, request_, [&](const CallContext& call) {
    ran = true;
    EXPECT_EQ(call.caller, "anonymous");
    clock_.Advance(absl::Seconds(2));  // the work outlived the deadline
    return absl::OkStatus();
  });
  EXPECT_TRUE(ran);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  s = RunUnary(&ctx, policy, request_, [&](const CallContext&) { return absl::NotFoundError("x"); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CallContextTest, TheBodyAndItsOutboundCallsRunUnderTheCallsDeadline) {
  // 300 ms left on the call (default deadline here): an outbound call with
  // a 5 s budget must end by then, not wait 5 s on another service.
  CallPolicy policy{.default_deadline = absl::Milliseconds(300), .deadline_clock = &clock_, .guard = &guard_};
  grpc::ServerContext ctx;
  absl::Time inside = absl::InfiniteFuture();
  absl::Time outbound = absl::InfiniteFuture();
  const absl::Time before = absl::Now();
  grpc::Status s = RunUnary(&ctx, policy, request_, [&](const CallContext&) {
    inside = CallDeadline();
    outbound = OutboundDeadline(absl::Seconds(5));
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GE(inside, before + absl::Milliseconds(300));  // in real time, though the policy's clock is fake
  EXPECT_LE(inside, absl::Now() + absl::Milliseconds(300));
  EXPECT_EQ(outbound, inside);
  EXPECT_EQ(CallDeadline(), absl::InfiniteFuture());  // the call's deadline ends with the call
}

TEST_F(CallContextTest, StreamsEndForOneReasonWithOneWording) {
  CallPolicy policy{.deadline_clock = &clock_, .guard = &guard_};
  grpc::ServerContext ctx;
  absl::Time inside;
  grpc::Status s = ServeStream(&ctx, policy, request_, [&](const CallContext&, StreamLease&) {
    inside = CallDeadline();  // a stream without a client deadline: its lease bounds it
    return absl::CancelledError("the sink said stop");
  });
  EXPECT_EQ(inside, absl::InfiniteFuture());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(s.error_message(), ClientWentAway().error_message());
  s = ServeStream(&ctx, policy, request_,
                  [&](const CallContext&, StreamLease&) { return absl::NotFoundError("no such evidence"); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(PeerAddressTest, IpOfEveryPeerForm) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:51234"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:51234"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::7]:443"), "2001:db8::7");
  EXPECT_EQ(PeerAddress("unix:/tmp/sock"), "");
  EXPECT_EQ(PeerAddress(""), "");
}

TEST(PeerAddressTest, AnHttpClientAsAGrpcPeer) {
  EXPECT_EQ(IpPeer("10.1.2.3", 40000), "ipv4:10.1.2.3:40000");
  EXPECT_EQ(IpPeer("::1", 443), "ipv6:[::1]:443");
  EXPECT_EQ(PeerAddress(IpPeer("2001:db8::7", 1)), "2001:db8::7");
}

TEST_F(CallContextTest, PolicyWithoutGuardFailsClosed) {
  CallPolicy policy{.deadline_clock = &clock_};
  grpc::ServerContext ctx;
  bool ran = false;
  grpc::Status s = RunUnary(&ctx, policy, request_, [&](const CallContext&) {
    ran = true;
    return absl::OkStatus();
  });
  EXPECT_FALSE(ran);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
}

}  // namespace
}  // namespace kla::rpc
