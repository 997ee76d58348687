#include "libs/webhook/http_sender.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/webhook/http_receiver.h"

namespace kla::webhook {
namespace {

// The receivers of these tests are on loopback, which only an explicit
// range opens.
const AddressPolicy& Loopback() {
  static const AddressPolicy* const kPolicy = new AddressPolicy(*AddressPolicy::Create({"127.0.0.1/32"}));
  return *kPolicy;
}

TEST(CurlHttpSenderTest, PostsAndReportsStatusTimeoutsAndDrops) {
  auto receiver = webhook::HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  CurlHttpSender sender(&Loopback());
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
  CurlHttpSender sender(&Loopback());
  const HttpResult r = sender.Post("http://169.254.169.254/latest/meta-data/", {}, "{}", absl::Seconds(2));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "the endpoint's address is not allowed for webhooks");
}

TEST(CurlHttpSenderTest, ANameResolvingToLoopbackIsNotConnectedTo) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  // Public addresses only: "localhost" resolves to loopback, refused when
  // the connection would open; nothing reaches the receiver.
  const AddressPolicy public_only;
  CurlHttpSender sender(&public_only);
  const HttpResult r =
      sender.Post(absl::StrCat("http://localhost:", (*receiver)->port(), "/hook"), {}, "{}", absl::Seconds(2));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "the endpoint's address is not allowed for webhooks");
  EXPECT_TRUE((*receiver)->requests().empty());
}

TEST(CurlHttpSenderTest, ErrorsAreGenericAndRetryAfterIsRead) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  CurlHttpSender sender(&Loopback());
  (*receiver)->FailNext(1, 429, "120");
  HttpResult r = sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, absl::Seconds(120));
  (*receiver)->FailNext(1, 503, "Wed, 21 Oct 2099 07:28:00 GMT");
  r = sender.Post((*receiver)->Url(), {}, "{}", absl::Seconds(5));
  EXPECT_GT(*r.retry_after, absl::Hours(24));
  // A closed port says no more than "could not be reached" (no port scan).
  const int port = (*receiver)->port();
  (*receiver)->Stop();
  r = sender.Post(absl::StrCat("http://127.0.0.1:", port, "/"), {}, "{}", absl::Seconds(2));
  EXPECT_EQ(r.error, "the endpoint could not be reached");
}

}  // namespace
}  // namespace kla::webhook
