#include "libs/webhook/http_sender.h"

#include <gtest/gtest.h>

#include "libs/webhook/http_receiver.h"

namespace kla::webhook {
namespace {

TEST(CurlHttpSenderTest, PostsAndReportsStatusTimeoutsAndDrops) {
  auto receiver = webhook::HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  CurlHttpSender sender;
  HttpResult r = sender.Post((*receiver)->Url("/kla"), {{"webhook-id", "msg_1"}, {"content-type", "application/json"}},
                             R"({"a":1})", absl::Seconds(5));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body_prefix, "ok");
  auto got = (*receiver)->requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/kla");
  EXPECT_EQ(got[0].headers["webhook-id"], "msg_1");
  EXPECT_EQ(got[0].body, R"({"a":1})");

  (*receiver)->FailNext(1, 503);
  EXPECT_EQ(sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5)).status, 503);
  EXPECT_EQ(sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5)).status, 200);

  (*receiver)->SetMode(webhook::HttpReceiver::Mode::kHang);
  r = sender.Post((*receiver)->Url(), {}, "{}", absl::Milliseconds(300));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  (*receiver)->SetMode(webhook::HttpReceiver::Mode::kClose);
  r = sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());

  (*receiver)->Stop();
  r = sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5));
  EXPECT_EQ(r.status, 0);  // connection refused
}

TEST(CurlHttpSenderTest, NeverConnectsToALinkLocalAddress) {
  CurlHttpSender sender;
  const HttpResult r = sender.Post("http://169.254.169.254/latest/meta-data/", {}, "{}", absl::Seconds(2));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace kla::webhook
