// The HTTP/JSON door of kla-server, over real HTTP to a whole suite in the
// test's process: the same guard, rules and errors as gRPC.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/taskforce.pb.h"
#include "libs/testing/auth.h"
#include "services/server/testing/in_process_suite.h"

namespace kla::server {
namespace {

using ::testing::HasSubstr;

class HttpGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    web_ = new testing::TempDir();
    std::filesystem::create_directories(web_->path() + "/docs/api");
    std::ofstream(web_->path() + "/docs/api/index.html") << "<!doctype html><title>kla API</title>";
    std::filesystem::create_directories(web_->path() + "/portal");
    std::ofstream(web_->path() + "/portal/index.html") << "<!doctype html><title>{{title}}</title>";
    auto suite = testing::InProcessSuite::Start({.services = "registry",
                                                 .http = true,
                                                 .http_cors_origins = "https://portal.example.go.id",
                                                 .web_root = web_->path()});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    tokens_ = new testing::TestTokens(&suite_->suite().verifier());
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete tokens_;
    delete web_;
  }
  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", suite_->http_port());
    c.set_read_timeout(10, 0);
    return c;
  }
  static httplib::Headers Bearer(const auth::Principal& who) {
    return {{"Authorization", "Bearer " + tokens_->For(who)}};
  }
  static inline testing::TempDir* web_;
  static inline testing::InProcessSuite* suite_;
  static inline testing::TestTokens* tokens_;
};

TEST_F(HttpGatewayTest, ARegionIsPublicJson) {
  auto res = Client().Get("/v1/regions/35.72");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(res->body, HasSubstr("\"name\":\"Kota Blitar\""));
  EXPECT_THAT(res->body, HasSubstr("\"code\":\"35.72\""));
  // Compressed for a client that takes it (a phone on a slow line).
  httplib::Client client = Client();
  client.set_decompress(false);
  auto packed = client.Get("/v1/regions/35.72", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->get_header_value("Content-Encoding"), "gzip");
}

TEST_F(HttpGatewayTest, ErrorsAreAJsonStatusWithTheirDetailsAndHttpCode) {
  auto missing = Client().Get("/v1/regions/35.99");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr("\"code\":5"));
  EXPECT_THAT(missing->body, HasSubstr("RESOURCE_NOT_FOUND"));  // the ErrorInfo, as over gRPC

  auto bad = Client().Get("/v1/regions?page_size=lots");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("page_size"));

  auto anonymous = Client().Get("/v1/accounts");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  auto op = Client().Get("/v1/accounts", Bearer(testing::TestTokens::Operator("35.72")));
  ASSERT_TRUE(op);
  EXPECT_EQ(op->status, 403);

  auto admin = Client().Get("/v1/accounts", Bearer(testing::TestTokens::Of(auth::Role::kNationalAdmin, "admin")));
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200) << admin->body;
}

TEST_F(HttpGatewayTest, UnknownPathsAndMethodsAreNamed) {
  auto none = Client().Get("/v1/no/such/thing");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  auto wrong = Client().Delete("/v1/regions/35.72");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "GET");
}

TEST_F(HttpGatewayTest, BrowsersOnlyFromConfiguredOrigins) {
  auto allowed = Client().Get("/v1/regions/35.72", {{"Origin", "https://portal.example.go.id"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"), "https://portal.example.go.id");
  auto other = Client().Get("/v1/regions/35.72", {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  auto preflight = Client().Options(
      "/v1/cycles", {{"Origin", "https://portal.example.go.id"}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_THAT(preflight->get_header_value("Access-Control-Allow-Methods"), HasSubstr("POST"));
}

// Kota Blitar's task force as an agency's system would send it.
std::string BlitarTaskForceJson() {
  registry::v1::TaskForce tf;
  tf.set_region_code("35.72");
  tf.mutable_decree()->set_number("188/123/KEP/410.012/2024");
  tf.mutable_decree()->set_date("2024-02-01");
  tf.mutable_decree()->set_signatory("Wali Kota Blitar");
  for (auto [name, role] : {std::pair{"Ketua Bappeda", registry::v1::TASK_FORCE_ROLE_CHAIR},
                            std::pair{"Wakil", registry::v1::TASK_FORCE_ROLE_VICE_CHAIR},
                            std::pair{"Sekretaris", registry::v1::TASK_FORCE_ROLE_SECRETARY}}) {
    auto* m = tf.add_members();
    m->set_name(name);
    m->set_position("Kepala");
    m->set_agency("Bappeda");
    m->set_role(role);
  }
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(tf, &json).ok());
  return json;
}

TEST_F(HttpGatewayTest, AWriteCarriesItsBodyAndAnswersWithItsEtag) {
  const auto admin = Bearer(testing::TestTokens::Of(auth::Role::kNationalAdmin, "admin"));
  auto created = Client().Post("/v1/regions/35.72/taskForce", admin, BlitarTaskForceJson(), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string etag = created->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  // A stale If-Match is refused as over gRPC (ABORTED: 409), and nothing changes.
  httplib::Headers stale_headers = admin;
  stale_headers.emplace("If-Match", "\"v99\"");
  auto stale = Client().Patch(
      "/v1/regions/35.72/taskForce?update_mask=decree", stale_headers,
      R"({"decree": {"number": "1/2025", "date": "2025-01-15", "signatory": "Wali Kota Blitar"}})", "application/json");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409) << stale->body;
  // The current one is taken.
  httplib::Headers fresh_headers = admin;
  fresh_headers.emplace("If-Match", etag);
  auto fresh = Client().Patch(
      "/v1/regions/35.72/taskForce?update_mask=decree", fresh_headers,
      R"({"decree": {"number": "1/2025", "date": "2025-01-15", "signatory": "Wali Kota Blitar"}})", "application/json");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200) << fresh->body;
  EXPECT_NE(fresh->get_header_value("ETag"), etag);
  // A misspelt field is an error, not silently dropped.
  auto typo =
      Client().Patch("/v1/regions/35.72/taskForce?update_mask=decree", admin, R"({"decre": {}})", "application/json");
  ASSERT_TRUE(typo);
  EXPECT_EQ(typo->status, 400);
}

TEST_F(HttpGatewayTest, TheOpenApiDocumentAndTheReferencePageAreServed) {
  auto doc = Client().Get("/openapi.json");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->status, 200);
  EXPECT_EQ(doc->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(doc->body, HasSubstr("\"openapi\": \"3.1.0\""));
  EXPECT_THAT(doc->body, HasSubstr("\"/v1/regions/{code}\""));
  auto bare = Client().Get("/docs/api");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 302);
  EXPECT_EQ(bare->get_header_value("Location"), "/docs/api/");
  auto page = Client().Get("/docs/api/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("kla API"));
  // Nothing from another origin; not framed by another site.
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
}

// A link preview names the region the page is about (the registry's
// official name); the downloads of services this process lacks are absent.
TEST_F(HttpGatewayTest, PortalPagesAreTitledWithTheOfficialNames) {
  auto region = Client().Get("/daerah/35.72");
  ASSERT_TRUE(region);
  EXPECT_EQ(region->status, 200);
  EXPECT_THAT(region->body, HasSubstr("<title>Kota Blitar (35.72) · Hasil Evaluasi"));
  EXPECT_THAT(region->get_header_value("Content-Security-Policy"), HasSubstr("script-src 'self'"));
  auto province = Client().Get("/provinsi/35?lang=en");
  ASSERT_TRUE(province);
  EXPECT_THAT(province->body, HasSubstr("<title>Jawa Timur (35) · Child-Friendly"));
  auto unknown = Client().Get("/daerah/35.99");
  ASSERT_TRUE(unknown);
  EXPECT_THAT(unknown->body, HasSubstr("<title>35.99 · Hasil"));
  auto feed = Client().Get("/feed.atom");
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->status, 404) << "this suite has no notification service";
}

// /metrics: calls by method and code over gRPC and HTTP, in a text that
// Prometheus's own checker accepts, and that a real Prometheus scrapes.
TEST_F(HttpGatewayTest, MetricsAreValidPrometheusTextAndAreScraped) {
  ASSERT_TRUE(Client().Get("/v1/regions/35.72"));
  auto res = Client().Get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(res->body, HasSubstr("kla_grpc_server_handled_total{code=\"OK\",method=\"/kla.registry.v1."
                                   "RegistryService/GetRegion\"}"));
  EXPECT_THAT(res->body,
              HasSubstr("kla_http_requests_total{method=\"GET\",route=\"/v1/regions/{code}\",status=\"200\"}"));
  EXPECT_THAT(res->body, HasSubstr("kla_http_request_duration_seconds_bucket{"));
  testing::TempDir dir;
  std::ofstream(dir.path() + "/metrics.txt") << res->body;
  auto checked =
      testing::RunCommand({.argv = {"/bin/sh", "-c", "promtool check metrics < " + dir.path() + "/metrics.txt"},
                           .log_path = dir.path() + "/promtool.log"});
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(*checked, 0) << testing::ReadFile(dir.path() + "/promtool.log");

  // A real Prometheus, on loopback, scrapes it every second.
  const int port = testing::FreePort();
  std::ofstream(dir.path() + "/prometheus.yml")
      << "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: kla\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << suite_->http_port() << "']\n";
  auto prometheus =
      testing::ChildProcess::Start({.argv = {"/usr/bin/prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
                                             "--storage.tsdb.path=" + dir.path() + "/data",
                                             "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                                    .log_path = dir.path() + "/prometheus.log"});
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  httplib::Client query("127.0.0.1", port);
  std::string answer;
  const bool scraped = testing::WaitUntil(
      [&] {
        auto r = query.Get("/api/v1/query?query=kla_http_requests_total");
        answer = r ? r->body : "";
        return r && r->status == 200 && answer.find("/v1/regions/{code}") != std::string::npos;
      },
      30000);
  EXPECT_TRUE(scraped) << answer << testing::ReadFile(dir.path() + "/prometheus.log");
}

// The value of cookie `name` among `res`'s Set-Cookie headers, and that
// header whole.
std::pair<std::string, std::string> SetCookie(const httplib::Response& res, const std::string& name) {
  const auto range = res.headers.equal_range("Set-Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.rfind(name + "=", 0) != 0) continue;
    return {it->second.substr(name.size() + 1, it->second.find(';') - name.size() - 1), it->second};
  }
  return {"", ""};
}

// The workspace's sign-in: the token stays in an HttpOnly cookie, and a
// write made with it needs the CSRF header another site cannot send.
TEST_F(HttpGatewayTest, BrowsersSignInWithAnHttpOnlyCookieAndWriteOnlyWithTheCsrfHeader) {
  auto accounts = registry::v1::AccountService::NewStub(suite_->channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization",
                  "Bearer " + tokens_->For(testing::TestTokens::Of(auth::Role::kNationalAdmin, "admin")));
  registry::v1::CreateAccountRequest create;
  create.set_request_id("sesi-1");
  create.mutable_account()->set_name("admin.sesi");
  create.mutable_account()->set_display_name("Admin Sesi");
  create.mutable_account()->set_kind(registry::v1::ACCOUNT_KIND_PERSON);
  create.mutable_account()->set_role(registry::v1::ROLE_NATIONAL_ADMIN);
  registry::v1::CreateAccountResponse created;
  ASSERT_TRUE(accounts->CreateAccount(&ctx, create, &created).ok());
  const std::string login =
      R"({"name": "admin.sesi", "password": ")" + created.secret() + R"(", "newPassword": "Sandi-Sesi-2026!"})";
  // Not from kla's own pages: a form, or another site's script.
  auto form = Client().Post("/auth/session", login, "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 403) << form->body;
  auto cross = Client().Post("/auth/session", {{"Sec-Fetch-Site", "cross-site"}}, login, "application/json");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403) << cross->body;

  auto in = Client().Post("/auth/session", {{"Sec-Fetch-Site", "same-origin"}}, login, "application/json");
  ASSERT_TRUE(in);
  ASSERT_EQ(in->status, 200) << in->body;
  EXPECT_THAT(in->body, HasSubstr("\"name\":\"admin.sesi\""));
  EXPECT_THAT(in->body, ::testing::Not(HasSubstr("\"token\"")));
  const auto [session, session_header] = SetCookie(*in, "__Host-kla-session");
  const auto [csrf, csrf_header] = SetCookie(*in, "__Host-kla-csrf");
  ASSERT_FALSE(session.empty());
  ASSERT_FALSE(csrf.empty());
  EXPECT_THAT(session_header, HasSubstr("; Path=/; Max-Age="));
  EXPECT_THAT(session_header, HasSubstr("; Secure; SameSite=Strict; HttpOnly"));
  EXPECT_THAT(csrf_header, ::testing::Not(HasSubstr("HttpOnly"))) << "the page echoes it";

  const httplib::Headers cookie = {{"Cookie", "__Host-kla-session=" + session + "; __Host-kla-csrf=" + csrf}};
  auto me = Client().Get("/v1/accounts/admin.sesi", cookie);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;
  const std::string op =
      R"({"requestId": "sesi-2", "account": {"name": "op.sesi", "displayName": "Operator", "kind": "ACCOUNT_KIND_PERSON",
          "role": "ROLE_REGION_OPERATOR", "regionCode": "35.72"}})";
  auto forged = Client().Post("/v1/accounts", cookie, op, "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403) << forged->body;
  EXPECT_THAT(forged->body, HasSubstr("CSRF_TOKEN_MISSING"));
  auto absent = Client().Get("/v1/accounts/op.sesi", cookie);
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->status, 404) << "a refused write changes nothing";
  httplib::Headers with_csrf = cookie;
  with_csrf.emplace("X-CSRF-Token", csrf);
  auto made = Client().Post("/v1/accounts", with_csrf, op, "application/json");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->status, 200) << made->body;

  // Renewed before it expires: a new cookie, the session's end named.
  auto renewed = Client().Post("/auth/session:renew", with_csrf, "", "application/json");
  ASSERT_TRUE(renewed);
  ASSERT_EQ(renewed->status, 200) << renewed->body;
  EXPECT_THAT(renewed->body, HasSubstr("\"sessionEndTime\""));
  EXPECT_THAT(renewed->body, ::testing::Not(HasSubstr("\"token\"")));
  EXPECT_FALSE(SetCookie(*renewed, "__Host-kla-session").first.empty());
  auto unchecked = Client().Post("/auth/session:renew", cookie, "", "application/json");
  ASSERT_TRUE(unchecked);
  EXPECT_EQ(unchecked->status, 403);

  // Signing out clears both cookies.
  auto out = Client().Delete("/auth/session", with_csrf);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_THAT(SetCookie(*out, "__Host-kla-session").second, HasSubstr("Max-Age=0"));
  EXPECT_THAT(SetCookie(*out, "__Host-kla-csrf").second, HasSubstr("Max-Age=0"));
}

// Sign-in limits count HTTP clients by their own address, as gRPC ones;
// the header by which the gateway names them is not believed from outside.
TEST_F(HttpGatewayTest, SignInLimitsCountHttpClientsByTheirAddressAndThePeerHeaderCannotBeForged) {
  const std::string login = R"({"name": "op.kota-tebak", "password": "bukan-sandinya"})";
  for (int i = 0; i < 3; ++i) {
    auto res = Client().Post("/v1/accounts:login", login, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
  }
  auto accounts = registry::v1::AccountService::NewStub(suite_->channel());
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("kla-http-peer", "ipv4:10.9.9." + std::to_string(i) + ":1000");
    registry::v1::LoginRequest req;
    req.set_name("op.kota-tebak");
    req.set_password("bukan-sandinya");
    registry::v1::LoginResponse resp;
    EXPECT_EQ(accounts->Login(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // Five failures from 127.0.0.1, whichever door they came through.
  auto locked = Client().Post("/v1/accounts:login", login, "application/json");
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429) << locked->body;
  EXPECT_FALSE(locked->get_header_value("Retry-After").empty());
}

}  // namespace
}  // namespace kla::server
