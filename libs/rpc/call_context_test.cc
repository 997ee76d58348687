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

TEST(PeerAddressTest, IpOfEveryPeerForm) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:51234"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:51234"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::7]:443"), "2001:db8::7");
  EXPECT_EQ(PeerAddress("unix:/tmp/sock"), "");
  EXPECT_EQ(PeerAddress(""), "");
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
