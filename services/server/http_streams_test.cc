// The HTTP forms of the streaming RPCs, over real HTTP to a whole suite in
// the test's process: tus uploads (interrupted and resumed), evidence
// downloads, the export as a file, Watch as Server-Sent Events, and the
// OAuth 2.0 token endpoint for systems.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/files.h"
#include "libs/testing/auth.h"
#include "services/registry/testing/cycles.h"
#include "services/server/testing/in_process_suite.h"

namespace kla::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace rv1 = registry::v1;

class HttpStreamsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new FakeClock();
    clock_->Set(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    auto suite = testing::InProcessSuite::Start({.clock = clock_, .http = true});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    tokens_ = new testing::TestTokens(&suite_->suite().verifier(), clock_);
    const absl::Time t = clock_->Now();
    const int days[][2] = {{-1, 10}, {11, 20}, {21, 30}, {31, 40}, {41, 45}, {46, 55}};
    auto made = testing::CreateCycleOnDefaultRulebook(
        suite_->channel(), tokens_->Admin(), "2025",
        [&](int i) { return std::make_pair(t + absl::Hours(24 * days[i][0]), t + absl::Hours(24 * days[i][1])); },
        t + absl::Hours(24 * 60));
    ASSERT_TRUE(made.ok()) << made.status();
    item_ = new std::string(made->rulebook.indicators(0).items(0).id());
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete tokens_;
    delete clock_;
    delete item_;
  }
  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", suite_->http_port());
    c.set_read_timeout(20, 0);
    return c;
  }
  static httplib::Headers As(const auth::Principal& who, httplib::Headers more = {}) {
    more.emplace("Authorization", "Bearer " + tokens_->For(who));
    return more;
  }
  static httplib::Headers Tus(const auth::Principal& who, httplib::Headers more = {}) {
    more.emplace("Tus-Resumable", "1.0.0");
    return As(who, std::move(more));
  }
  // A tus creation for Kota Blitar of `content`; the upload's URL.
  static std::string Create(const std::string& content, const std::string& name) {
    const std::string meta =
        absl::StrCat("filename ", absl::Base64Escape(name), ",filetype ", absl::Base64Escape("application/pdf"),
                     ",item_id ", absl::Base64Escape(*item_), ",sha256 ", absl::Base64Escape(Sha256Hex(content)));
    auto res = Client().Post("/v1/cycles/2025/submissions/35.72/uploads",
                             Tus(op_, {{"Upload-Length", std::to_string(content.size())}, {"Upload-Metadata", meta}}),
                             "", "text/plain");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 201) << res->body;
    return res->get_header_value("Location");
  }
  static int64_t Offset(const std::string& url) {
    auto res = Client().Head(url, Tus(op_));
    EXPECT_TRUE(res);
    if (!res) return -1;
    EXPECT_EQ(res->status, 200);
    int64_t offset = -1;
    EXPECT_TRUE(absl::SimpleAtoi(res->get_header_value("Upload-Offset"), &offset));
    return offset;
  }
  static httplib::Result Patch(const std::string& url, int64_t offset, const std::string& bytes,
                               httplib::Headers more = {}) {
    more.emplace("Upload-Offset", std::to_string(offset));
    return Client().Patch(url, Tus(op_, std::move(more)), bytes, "application/offset+octet-stream");
  }
  // Sends a PATCH that announces all of `bytes` but only sends `sent` of
  // them before the connection drops, as a phone losing its signal does.
  static void PatchAndDrop(const std::string& url, int64_t offset, const std::string& bytes, size_t sent) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(suite_->http_port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    const std::string head =
        absl::StrCat("PATCH ", url, " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer ",
                     tokens_->For(op_), "\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: ", offset,
                     "\r\nContent-Length: ", bytes.size(), "\r\n\r\n");
    const std::string wire = head + bytes.substr(0, sent);
    for (size_t at = 0; at < wire.size();) {
      const ssize_t n = ::send(fd, wire.data() + at, wire.size() - at, MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      at += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  // Waits until the server holds `bytes` of the upload (at most 20 s).
  static int64_t OffsetReaches(const std::string& url, int64_t bytes) {
    int64_t offset = -1;
    testing::WaitUntil(
        [&] {
          offset = Offset(url);
          return offset == bytes;
        },
        20000);
    return offset;
  }
  static std::string Digest(const std::string& bytes) {
    return "sha256 " + absl::Base64Escape(absl::HexStringToBytes(Sha256Hex(bytes)));
  }
  static std::string Pdf(size_t size) {
    std::string content = "%PDF-1.4 ";
    for (size_t i = content.size(); i < size; ++i) content += static_cast<char>('a' + i * 7 % 26);
    return content;
  }

  static inline FakeClock* clock_;
  static inline testing::InProcessSuite* suite_;
  static inline testing::TestTokens* tokens_;
  static inline std::string* item_;
  static inline const auth::Principal op_ = testing::TestTokens::Operator("35.72");
};

TEST_F(HttpStreamsTest, TusDescribesItself) {
  auto res = Client().Options("/v1/cycles/2025/submissions/35.72/uploads");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Tus-Version"), "1.0.0");
  EXPECT_THAT(res->get_header_value("Tus-Extension"), HasSubstr("checksum"));
  EXPECT_EQ(res->get_header_value("Tus-Checksum-Algorithm"), "sha256");
  EXPECT_EQ(res->get_header_value("Tus-Max-Size"), std::to_string(25 << 20));
}

TEST_F(HttpStreamsTest, AnInterruptedTusUploadResumesWhereItStoppedAndDownloadsWhole) {
  const std::string content = Pdf(900 * 1024);
  const std::string url = Create(content, "SK Gugus Tugas 2025.pdf");
  ASSERT_THAT(url, StartsWith("/v1/regions/35.72/uploads/tus-"));
  EXPECT_EQ(Offset(url), 0);

  // A first chunk with its checksum; then one whose checksum is wrong is
  // refused and not kept.
  const std::string first = content.substr(0, 300 * 1024);
  auto ok = Patch(url, 0, first, {{"Upload-Checksum", Digest(first)}});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 204) << ok->body;
  EXPECT_EQ(ok->get_header_value("Upload-Offset"), std::to_string(first.size()));
  const std::string second = content.substr(first.size(), 100 * 1024);
  auto mismatch = Patch(url, static_cast<int64_t>(first.size()), second, {{"Upload-Checksum", Digest(first)}});
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->status, 460);
  EXPECT_EQ(Offset(url), static_cast<int64_t>(first.size()));

  // The connection drops in the middle of the rest: what arrived is kept.
  const std::string rest = content.substr(first.size());
  // (Every byte sent before the drop reaches the server, which stores it
  // on its own time.)
  PatchAndDrop(url, static_cast<int64_t>(first.size()), rest, 200 * 1024);
  const int64_t held = static_cast<int64_t>(first.size() + 200 * 1024);
  EXPECT_EQ(OffsetReaches(url, held), held);

  // From the wrong offset: 409; from where the server is: done.
  auto conflict = Patch(url, 0, content);
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);
  auto done = Patch(url, held, content.substr(static_cast<size_t>(held)));
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 204) << done->body;
  EXPECT_EQ(done->get_header_value("Upload-Offset"), std::to_string(content.size()));

  // GET of the upload's URL is GetUploadStatus: the stored evidence.
  auto status = Client().Get(url, As(op_));
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  const std::string marker = "\"evidenceId\":\"";
  const size_t at = status->body.find(marker);
  ASSERT_NE(at, std::string::npos) << status->body;
  const std::string id =
      status->body.substr(at + marker.size(), status->body.find('"', at + marker.size()) - at - marker.size());

  auto file = Client().Get(absl::StrCat("/v1/cycles/2025/submissions/35.72/evidence/", id, ":download"),
                           As(testing::TestTokens::ProvinceVerifier("35")));
  ASSERT_TRUE(file);
  ASSERT_EQ(file->status, 200) << file->body;
  EXPECT_EQ(file->get_header_value("Content-Type"), "application/pdf");
  EXPECT_THAT(file->get_header_value("Content-Disposition"), HasSubstr("filename=\"SK Gugus Tugas 2025.pdf\""));
  EXPECT_EQ(file->get_header_value("ETag"), "\"" + Sha256Hex(content) + "\"");
  EXPECT_EQ(file->body, content);

  // Another province's verifier is refused as over gRPC, in JSON.
  auto other = Client().Get(absl::StrCat("/v1/cycles/2025/submissions/35.72/evidence/", id, ":download"),
                            As(testing::TestTokens::ProvinceVerifier("61")));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_THAT(other->body, HasSubstr("\"code\":7"));
}

TEST_F(HttpStreamsTest, TusRequestsThatCannotBeServedChangeNothing) {
  // No protocol version: 412. No metadata: 400. Not a region's operator: 403.
  auto version = Client().Post("/v1/cycles/2025/submissions/35.72/uploads", As(op_), "", "text/plain");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->status, 412);
  EXPECT_EQ(version->get_header_value("Tus-Version"), "1.0.0");
  auto bare =
      Client().Post("/v1/cycles/2025/submissions/35.72/uploads", Tus(op_, {{"Upload-Length", "10"}}), "", "text/plain");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 400);
  EXPECT_THAT(bare->body, HasSubstr("filename"));
  const std::string meta =
      absl::StrCat("filename ", absl::Base64Escape("x.pdf"), ",filetype ", absl::Base64Escape("application/pdf"),
                   ",item_id ", absl::Base64Escape(*item_), ",sha256 ", absl::Base64Escape(Sha256Hex("0123456789")));
  auto stranger =
      Client().Post("/v1/cycles/2025/submissions/35.72/uploads",
                    Tus(testing::TestTokens::Operator("61.71"), {{"Upload-Length", "10"}, {"Upload-Metadata", meta}}),
                    "", "text/plain");
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
  auto huge = Client().Post("/v1/cycles/2025/submissions/35.72/uploads",
                            Tus(op_, {{"Upload-Length", std::to_string(26 << 20)}, {"Upload-Metadata", meta}}), "",
                            "text/plain");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 400);
  auto unknown = Client().Head("/v1/regions/35.72/uploads/never-made", Tus(op_));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(HttpStreamsTest, TheExportIsAFileAndRefusalsComeBeforeIt) {
  auto csv = Client().Get("/v1/cycles/2025/submissions:export?format=EXPORT_FORMAT_CSV&province_code=35",
                          As(testing::TestTokens::ProvinceVerifier("35")));
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_THAT(csv->get_header_value("Content-Disposition"), HasSubstr("kla-2025-35.csv"));
  EXPECT_THAT(csv->body, StartsWith("cycle_id,region_code,state,stage"));

  auto whole = Client().Get("/v1/cycles/2025/submissions:export?format=EXPORT_FORMAT_CSV",
                            As(testing::TestTokens::ProvinceVerifier("35")));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 403);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "application/json");
}

// Kota Blitar's evaluation returned: an event as the submission service
// sends it, straight into the notification service's inbox.
void Returned(const std::string& event_id, const std::string& item, testing::TestTokens& tokens,
              const std::shared_ptr<grpc::Channel>& channel) {
  submission::v1::SubmissionReturned r;
  r.set_cycle_id("2025");
  r.set_region_code("35.72");
  r.mutable_notice()->set_stage(type::v1::STAGE_PROVINCIAL_VERIFICATION);
  r.mutable_notice()->add_items()->set_item_id(item);
  r.mutable_notice()->mutable_items(0)->set_reason("Lampirkan SK");
  event::v1::DeliverRequest req;
  req.mutable_event()->set_event_id(event_id);
  req.mutable_event()->set_source("submission");
  req.mutable_event()->set_target("notification");
  req.mutable_event()->mutable_payload()->PackFrom(r);
  event::v1::DeliverResponse resp;
  auto ctx = testing::AuthedContext(tokens.For(testing::TestTokens::Of(auth::Role::kService, "svc.submission")));
  ASSERT_TRUE(event::v1::EventInbox::NewStub(channel)->Deliver(ctx.get(), req, &resp).ok());
}

// Reads Server-Sent Events from `path` until `want` events came; their ids
// and data lines.
std::vector<std::pair<int64_t, std::string>> Events(httplib::Client& client, const httplib::Headers& headers,
                                                    size_t want, std::string* raw) {
  std::vector<std::pair<int64_t, std::string>> events;
  client.Get("/v1/notifications:watch", headers, [&](const char* data, size_t n) {
    raw->append(data, n);
    events.clear();
    for (size_t line = raw->find("\nid: "); line != std::string::npos; line = raw->find("\nid: ", line + 1)) {
      const size_t at = line + 1;
      const size_t end = raw->find("\n\n", at);
      if (end == std::string::npos) break;
      const size_t nl = raw->find('\n', at);
      int64_t id = 0;
      EXPECT_TRUE(absl::SimpleAtoi(raw->substr(at + 4, nl - at - 4), &id));
      events.emplace_back(id, raw->substr(nl + 1, end - nl - 1));
    }
    return events.size() < want;  // enough: hang up
  });
  return events;
}

TEST_F(HttpStreamsTest, WatchIsServerSentEventsThatResumeAfterTheLastId) {
  Returned("sse-1", "1.1", *tokens_, suite_->channel());
  Returned("sse-2", "1.2", *tokens_, suite_->channel());
  const auth::Principal bps = testing::TestTokens::Of(auth::Role::kIntegration, "bps.integrasi");
  httplib::Client client = Client();
  std::string raw;
  const auto events = Events(client, As(bps, {{"Accept", "text/event-stream"}}), 2, &raw);
  ASSERT_EQ(events.size(), 2u) << raw;
  EXPECT_THAT(raw, StartsWith("retry: "));
  EXPECT_LT(events[0].first, events[1].first);
  EXPECT_THAT(events[0].second, StartsWith("data: {"));
  EXPECT_THAT(events[0].second, HasSubstr("\"sequence\":\"" + std::to_string(events[0].first) + "\""));
  EXPECT_THAT(events[0].second, HasSubstr("EVENT_TYPE_SUBMISSION_RETURNED"));

  // Resumed with Last-Event-ID (as EventSource does after a drop), the feed
  // goes on after it, without the event already heard.
  std::string again;
  const auto resumed = Events(client, As(bps, {{"Last-Event-ID", std::to_string(events[0].first)}}), 1, &again);
  ASSERT_EQ(resumed.size(), 1u) << again;
  EXPECT_EQ(resumed[0].first, events[1].first);

  // Refused before it starts: a JSON error, not a stream.
  auto anonymous = Client().Get("/v1/notifications:watch");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_THAT(anonymous->body, HasSubstr("\"code\":16"));
  auto bad = Client().Get("/v1/notifications:watch", As(bps, {{"Last-Event-ID", "kemarin"}}));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

class OAuthTokenTest : public HttpStreamsTest {
 protected:
  // An INTEGRATION account created by the national admin; its API key.
  static std::string Key(const std::string& name, rv1::Role role = rv1::ROLE_INTEGRATION) {
    auto accounts = rv1::AccountService::NewStub(suite_->channel());
    rv1::CreateAccountRequest create;
    create.set_request_id("create-" + name);
    rv1::Account* a = create.mutable_account();
    a->set_name(name);
    a->set_display_name("Sistem " + name);
    a->set_kind(rv1::ACCOUNT_KIND_SYSTEM);
    a->set_role(role);
    rv1::CreateAccountResponse created;
    auto ctx = testing::AuthedContext(tokens_->Admin());
    grpc::Status s = accounts->CreateAccount(ctx.get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.secret();
  }
  static httplib::Result Token(const std::string& form, httplib::Headers headers = {}) {
    return Client().Post("/v1/oauth2/token", headers, form, "application/x-www-form-urlencoded");
  }
  static httplib::Headers Basic(const std::string& id, const std::string& secret) {
    return {{"Authorization", "Basic " + absl::Base64Escape(id + ":" + secret)}};
  }
};

TEST_F(OAuthTokenTest, ClientCredentialsGiveABearerTokenThatWorks) {
  const std::string key = Key("bps.satudata");
  auto res = Token("grant_type=client_credentials", Basic("bps.satudata", key));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_THAT(res->body, HasSubstr("\"token_type\":\"Bearer\""));
  EXPECT_THAT(res->body, HasSubstr("\"expires_in\":"));
  const std::string marker = "\"access_token\":\"";
  const size_t at = res->body.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string token =
      res->body.substr(at + marker.size(), res->body.find('"', at + marker.size()) - at - marker.size());
  auto subs = Client().Get("/v1/subscriptions", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(subs);
  EXPECT_EQ(subs->status, 200) << subs->body;

  // The credentials in the body work alike.
  auto body = Token("grant_type=client_credentials&client_id=bps.satudata&client_secret=" + key);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->status, 200) << body->body;
}

TEST_F(OAuthTokenTest, RefusalsAreTheOnesRfc6749Names) {
  const std::string key = Key("bpjs.integrasi");
  auto wrong = Token("grant_type=client_credentials", Basic("bpjs.integrasi", key + "x"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, HasSubstr("\"error\":\"invalid_client\""));
  EXPECT_THAT(wrong->get_header_value("WWW-Authenticate"), StartsWith("Basic"));
  // The key of one account does not sign in as another.
  auto other = Token("grant_type=client_credentials", Basic("bps.satudata", key));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 401);
  auto grant = Token("grant_type=password&username=a&password=b");
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->status, 400);
  EXPECT_THAT(grant->body, HasSubstr("unsupported_grant_type"));
  auto both = Token("grant_type=client_credentials&client_id=bpjs.integrasi", Basic("bpjs.integrasi", key));
  ASSERT_TRUE(both);
  EXPECT_THAT(both->body, HasSubstr("invalid_request"));
  auto json = Client().Post("/v1/oauth2/token", "{\"grant_type\":\"client_credentials\"}", "application/json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 400);
  EXPECT_THAT(json->body, HasSubstr("x-www-form-urlencoded"));
  // A kla service's own account is not handed tokens at the public door.
  const std::string service = Key("svc.contoh", rv1::ROLE_SERVICE);
  auto svc = Token("grant_type=client_credentials", Basic("svc.contoh", service));
  ASSERT_TRUE(svc);
  EXPECT_EQ(svc->status, 400);
  EXPECT_THAT(svc->body, HasSubstr("unauthorized_client"));
  // In English when asked.
  auto en = Token("grant_type=password", {{"Accept-Language", "en"}});
  ASSERT_TRUE(en);
  EXPECT_THAT(en->body, HasSubstr("Only grant_type=client_credentials"));
}

}  // namespace
}  // namespace kla::server
