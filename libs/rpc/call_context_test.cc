#include "libs/rpc/call_context.h"

#include <gtest/gtest.h>

namespace kla::rpc {
namespace {

TEST(CallContextTest, CallWithoutDeadlineGetsTheDefault) {
  FakeClock clock;
  CallPolicy policy{.default_deadline = absl::Seconds(7), .clock = &clock};
  grpc::ServerContext ctx;  // no client deadline
  EXPECT_EQ(EffectiveDeadline(ctx, policy), clock.Now() + absl::Seconds(7));
}

TEST(CallContextTest, RunUnaryRefusesExpiredCallsAndMapsErrors) {
  FakeClock clock;
  CallPolicy policy{.default_deadline = absl::Seconds(1), .clock = &clock};
  grpc::ServerContext ctx;
  bool ran = false;
  grpc::Status s = RunUnary(&ctx, policy, [&](const CallContext&) {
    ran = true;
    clock.Advance(absl::Seconds(2));  // the work outlived the deadline
    return absl::OkStatus();
  });
  EXPECT_TRUE(ran);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  s = RunUnary(&ctx, policy, [&](const CallContext&) { return absl::NotFoundError("x"); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace kla::rpc
