// In-process server tests: the real handlers, module and server host on a
// free port, with SQLite in a temporary folder.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/server/testing/in_process_suite.h"

namespace kla::registry {
namespace {

using ::testing::HasSubstr;

class RegistryServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto suite = testing::InProcessSuite::Start({.services = "registry", .official_regions = false});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    tokens_ = new testing::TestTokens(&suite_->suite().verifier());
    admin_ = new std::string(tokens_->Admin());
    stub_ = v1::RegistryService::NewStub(suite_->channel()).release();
    v1::ImportRegionsRequest req;
    req.set_request_id("test-import");
    req.set_provinces_csv(testing::SourceFile("data/regions/provinces.csv"));
    req.set_regencies_csv(testing::SourceFile("data/regions/regencies.csv"));
    v1::ImportRegionsResponse resp;
    grpc::Status s = stub_->ImportRegions(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  static void TearDownTestSuite() {
    delete stub_;
    delete suite_;  // shuts it down
    delete tokens_;
    delete admin_;
  }

  // A call as the national admin.
  static std::unique_ptr<grpc::ClientContext> Ctx() { return testing::AuthedContext(*admin_); }
  // A call as someone else.
  static std::unique_ptr<grpc::ClientContext> As(const auth::Principal& who) {
    return testing::AuthedContext(tokens_->For(who));
  }

  static google::rpc::BadRequest BadRequestOf(const grpc::Status& s) {
    google::rpc::Status details;
    google::rpc::BadRequest bad;
    EXPECT_TRUE(details.ParseFromString(s.error_details()));
    for (const auto& any : details.details()) any.UnpackTo(&bad);
    return bad;
  }

  static inline testing::InProcessSuite* suite_;
  static inline testing::TestTokens* tokens_;
  static inline std::string* admin_;
  static inline v1::RegistryService::Stub* stub_;
};

TEST_F(RegistryServiceTest, GetsKotaBlitar) {
  v1::GetRegionRequest req;
  req.set_code("35.72");
  v1::GetRegionResponse resp;
  ASSERT_TRUE(stub_->GetRegion(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.region().name(), "Kota Blitar");
  EXPECT_EQ(resp.region().level(), kla::type::v1::REGION_LEVEL_KOTA);
  EXPECT_EQ(resp.region().province().name(), "Jawa Timur");
}

TEST_F(RegistryServiceTest, CallWithoutDeadlineIsServed) {
  grpc::ClientContext ctx;  // no deadline: the server applies its default
  v1::GetRegionRequest req;
  req.set_code("35");
  v1::GetRegionResponse resp;
  ASSERT_TRUE(stub_->GetRegion(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.region().regency_count(), 38);
}

TEST_F(RegistryServiceTest, UnknownCodeIsNotFoundNamingTheCode) {
  v1::GetRegionRequest req;
  req.set_code("35.99");
  v1::GetRegionResponse resp;
  grpc::Status s = stub_->GetRegion(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("35.99"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::ResourceInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.resource_name(), "35.99");
}

TEST_F(RegistryServiceTest, MalformedCodesAreInvalidArgumentWithFieldViolation) {
  for (const std::string& code : {std::string("35-72"), std::string(""), std::string(300, '3')}) {
    v1::GetRegionRequest req;
    req.set_code(code);
    v1::GetRegionResponse resp;
    grpc::Status s = stub_->GetRegion(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << code;
    auto bad = BadRequestOf(s);
    ASSERT_EQ(bad.field_violations_size(), 1);
    EXPECT_EQ(bad.field_violations(0).field(), "code");
  }
}

TEST_F(RegistryServiceTest, ListPagesAndRefusesBadPaging) {
  v1::ListRegionsRequest req;
  req.set_province_code("35");
  req.set_page_size(30);
  v1::ListRegionsResponse resp;
  ASSERT_TRUE(stub_->ListRegions(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.regions_size(), 30);
  EXPECT_EQ(resp.total_size(), 38);
  req.set_page_token(resp.next_page_token());
  v1::ListRegionsResponse resp2;
  ASSERT_TRUE(stub_->ListRegions(Ctx().get(), req, &resp2).ok());
  EXPECT_EQ(resp2.regions_size(), 8);

  req.set_page_size(-1);
  EXPECT_EQ(stub_->ListRegions(Ctx().get(), req, &resp2).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_page_size(10);
  req.set_page_token("forged-token");
  grpc::Status s = stub_->ListRegions(Ctx().get(), req, &resp2);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadRequestOf(s).field_violations(0).field(), "page_token");
}

TEST_F(RegistryServiceTest, SearchFindsBothBlitars) {
  v1::SearchRegionsRequest req;
  req.set_query("BLITAR");
  v1::SearchRegionsResponse resp;
  ASSERT_TRUE(stub_->SearchRegions(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.regions_size(), 2);
  EXPECT_EQ(resp.regions(0).code(), "35.05");
  EXPECT_EQ(resp.regions(1).code(), "35.72");
}

TEST_F(RegistryServiceTest, ImportErrorNamesLine) {
  v1::ImportRegionsRequest req;
  req.set_request_id("bad");
  req.set_provinces_csv("code,name\n35,Jawa Timur\n");
  req.set_regencies_csv("code,province_code,name\n35.72,35,Kota Blitar\n35.73,35,Malang\n");
  v1::ImportRegionsResponse resp;
  grpc::Status s = stub_->ImportRegions(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = BadRequestOf(s);
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "regencies_csv");
  EXPECT_THAT(bad.field_violations(0).description(), HasSubstr("line 3"));
}

TEST_F(RegistryServiceTest, RulebookUploadValidateAndRead) {
  const std::string text = testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto");
  v1::UploadRulebookRequest up;
  up.set_request_id("rb-1");
  up.set_textproto(text);
  v1::UploadRulebookResponse stored;
  ASSERT_TRUE(stub_->UploadRulebook(Ctx().get(), up, &stored).ok());
  EXPECT_EQ(stored.rulebook().item_count(), 77);
  EXPECT_EQ(stored.rulebook().sha256().size(), 64u);

  v1::GetRulebookRequest get;
  get.set_version("2023.1-ilustratif");
  v1::GetRulebookResponse got;
  ASSERT_TRUE(stub_->GetRulebook(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.rulebook().rulebook().indicators(12).name(), "Status gizi balita");

  // Ten broken weights: ten violations, as a report and as an upload error.
  v1::Rulebook broken = got.rulebook().rulebook();
  for (int i = 0; i < 10; ++i) broken.mutable_indicators(i)->mutable_items(0)->set_weight(99);
  v1::ValidateRulebookRequest val;
  *val.mutable_rulebook() = broken;
  v1::ValidateRulebookResponse report;
  ASSERT_TRUE(stub_->ValidateRulebook(Ctx().get(), val, &report).ok());
  EXPECT_FALSE(report.valid());
  EXPECT_EQ(report.violations_size(), 10);

  up.set_request_id("rb-2");
  *up.mutable_rulebook() = broken;
  up.mutable_rulebook()->set_version("2023.9");
  grpc::Status s = stub_->UploadRulebook(Ctx().get(), up, &stored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadRequestOf(s).field_violations_size(), 10);

  v1::ListRulebooksRequest list;
  v1::ListRulebooksResponse listed;
  ASSERT_TRUE(stub_->ListRulebooks(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.rulebooks_size(), 1);
  EXPECT_TRUE(listed.rulebooks(0).weights_illustrative());

  get.set_version("1999");
  EXPECT_EQ(stub_->GetRulebook(Ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RegistryServiceTest, CycleErrorsMapToTheirCodes) {
  v1::UploadRulebookRequest up;
  up.set_request_id("rb-cycle");
  up.set_textproto(testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto"));
  v1::UploadRulebookResponse uploaded;
  ASSERT_TRUE(stub_->UploadRulebook(Ctx().get(), up, &uploaded).ok());

  v1::CreateCycleRequest create;
  auto* c = create.mutable_cycle();
  c->set_id("2031");
  c->set_name("Evaluasi KLA 2031");
  c->set_rulebook_version("2023.1-ilustratif");
  const int64_t base = 1'924'992'000;  // 2031-01-01, far ahead: every window is in the future
  for (int p = 1; p <= 6; ++p) {
    auto* w = c->add_windows();
    w->set_phase(static_cast<v1::CyclePhase>(p));
    w->mutable_open_time()->set_seconds(base + 86400 * 10 * (p - 1));
    w->mutable_close_time()->set_seconds(base + 86400 * 10 * p);
  }
  c->mutable_announcement_time()->set_seconds(base + 86400 * 70);
  v1::CreateCycleResponse created;
  ASSERT_TRUE(stub_->CreateCycle(Ctx().get(), create, &created).ok());
  EXPECT_EQ(created.cycle().state(), v1::CYCLE_STATE_PLANNED);

  v1::AdvanceCycleRequest advance;
  advance.set_cycle_id("2031");
  v1::AdvanceCycleResponse advanced;
  EXPECT_EQ(stub_->AdvanceCycle(Ctx().get(), advance, &advanced).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::UpdateCycleRequest update;
  *update.mutable_cycle() = created.cycle();
  update.mutable_cycle()->set_name("Evaluasi KLA Tahun 2031");
  update.mutable_update_mask()->add_paths("name");
  v1::UpdateCycleResponse updated;
  ASSERT_TRUE(stub_->UpdateCycle(Ctx().get(), update, &updated).ok());
  // The same request again carries a stale etag.
  EXPECT_EQ(stub_->UpdateCycle(Ctx().get(), update, &updated).error_code(), grpc::StatusCode::ABORTED);
  update.mutable_update_mask()->set_paths(0, "state");
  *update.mutable_cycle() = updated.cycle();
  grpc::Status bad_mask = stub_->UpdateCycle(Ctx().get(), update, &updated);
  EXPECT_EQ(bad_mask.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadRequestOf(bad_mask).field_violations(0).field(), "update_mask");

  create.mutable_cycle()->set_name("Lain");
  EXPECT_EQ(stub_->CreateCycle(Ctx().get(), create, &created).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  v1::GetCycleRequest get;
  get.set_cycle_id("1999");
  v1::GetCycleResponse got;
  EXPECT_EQ(stub_->GetCycle(Ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RegistryServiceTest, HealthReportsServing) {
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(suite_->suite().port()), grpc::InsecureChannelCredentials()));
  for (const std::string& name :
       {std::string(""), std::string("registry"), std::string("kla.registry.v1.RegistryService")}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(name);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(Ctx().get(), req, &resp).ok()) << name;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
  }
}

TEST_F(RegistryServiceTest, TokensAreCheckedBeforeAnyHandlerRuns) {
  v1::GetRegionRequest region;
  region.set_code("35.72");
  v1::GetRegionResponse got;
  EXPECT_TRUE(stub_->GetRegion(testing::AuthedContext("").get(), region, &got).ok());  // public data

  v1::ListRulebooksRequest list;
  v1::ListRulebooksResponse books;
  grpc::Status s = stub_->ListRulebooks(testing::AuthedContext("").get(), list, &books);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = stub_->ListRulebooks(testing::AuthedContext("not-a-token").get(), list, &books);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("invalid token"));
  // A token from a key the server does not know (a forger's).
  auth::TokenVerifier elsewhere(SystemClock::Get());
  testing::TestTokens forger(&elsewhere);
  s = stub_->ListRulebooks(testing::AuthedContext(forger.Admin()).get(), list, &books);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A bad public-RPC token is refused too: it is not silently anonymous.
  s = stub_->GetRegion(testing::AuthedContext("not-a-token").get(), region, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto basic = std::make_unique<grpc::ClientContext>();
  basic->AddMetadata("authorization", "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(stub_->ListRulebooks(basic.get(), list, &books).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(RegistryServiceTest, AnOperatorReadsItsOwnRegionAndIsRefusedOnAnother) {
  const auth::Principal op = testing::TestTokens::Operator("35.72");
  v1::GetTaskForceRequest own;
  own.set_region_code("35.72");
  v1::GetTaskForceResponse tf;
  // Admitted (no task force registered in this suite: NOT_FOUND from the domain).
  EXPECT_EQ(stub_->GetTaskForce(As(op).get(), own, &tf).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetTaskForceRequest other;
  other.set_region_code("35.05");
  grpc::Status s = stub_->GetTaskForce(As(op).get(), other, &tf);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("35.05 is outside your reach"));
  // Operators do not run cycles.
  v1::CreateCycleRequest cycle;
  v1::CreateCycleResponse created;
  EXPECT_EQ(stub_->CreateCycle(As(op).get(), cycle, &created).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RegistryServiceTest, AccountsSignInOverGrpc) {
  auto accounts = v1::AccountService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(suite_->suite().port()), grpc::InsecureChannelCredentials()));
  v1::CreateAccountRequest create;
  create.set_request_id("grpc-op");
  auto* a = create.mutable_account();
  a->set_name("op.kab-blitar");
  a->set_display_name("Operator Kabupaten Blitar");
  a->set_kind(v1::ACCOUNT_KIND_PERSON);
  a->set_role(v1::ROLE_REGION_OPERATOR);
  a->set_region_code("35.05");
  v1::CreateAccountResponse created;
  grpc::Status s = accounts->CreateAccount(As(testing::TestTokens::Operator("35.05")).get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);  // only national admins create accounts
  ASSERT_TRUE(accounts->CreateAccount(Ctx().get(), create, &created).ok());

  v1::LoginRequest login;
  login.set_name("op.kab-blitar");
  login.set_password(created.secret());
  v1::LoginResponse in;
  s = accounts->Login(testing::AuthedContext("").get(), login, &in);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  login.set_new_password("Kabupaten-Blitar-2025");
  ASSERT_TRUE(accounts->Login(testing::AuthedContext("").get(), login, &in).ok());
  EXPECT_EQ(in.account().region_code(), "35.05");

  v1::GetTaskForceRequest own;
  own.set_region_code("35.05");
  v1::GetTaskForceResponse tf;
  EXPECT_EQ(stub_->GetTaskForce(testing::AuthedContext(in.token()).get(), own, &tf).error_code(),
            grpc::StatusCode::NOT_FOUND);
  own.set_region_code("35.72");
  EXPECT_EQ(stub_->GetTaskForce(testing::AuthedContext(in.token()).get(), own, &tf).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListSigningKeysResponse keys;
  ASSERT_TRUE(accounts->ListSigningKeys(testing::AuthedContext("").get(), {}, &keys).ok());
  ASSERT_EQ(keys.keys_size(), 1);
  EXPECT_THAT(keys.keys(0).public_key_pem(), HasSubstr("BEGIN PUBLIC KEY"));
}

}  // namespace
}  // namespace kla::registry
