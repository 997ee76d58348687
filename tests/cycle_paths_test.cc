// The paths a real cycle takes where regions fall behind (issue 14), walked
// through the whole suite in one process with a business clock: a region
// that never submits, one that submits after an extension, a field visit
// that cannot happen, an objection filed in the last minute, a rulebook
// corrected after the provisional results, an operator disabled mid-cycle.
// Each must end somewhere sensible: in the final results or counted out of
// them, never holding the country up.

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/outbox/grpc/service_base.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/scoring/scoring_module.h"
#include "services/server/testing/in_process_suite.h"
#include "services/submission/testing/filling.h"

namespace kla {
namespace {

namespace regv1 = registry::v1;
namespace subv1 = submission::v1;
namespace scov1 = scoring::v1;
using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;
using testing::TestTokens;

google::protobuf::Timestamp Ts(absl::Time t) { return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t)); }

// Day windows of the cycle, from its start: self-evaluation, provincial
// verification, central review, field verification, objections, final
// verification; announcement on day 60.
constexpr int kDays[][2] = {{-1, 10}, {11, 20}, {21, 30}, {31, 40}, {41, 45}, {46, 55}};

class CyclePathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    start_ = clock_.Now();
    auto suite = testing::InProcessSuite::Start({.clock = &clock_});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    tokens_ = std::make_unique<TestTokens>(&suite_->suite().verifier(), &clock_);
    channel_ = suite_->channel();
    registry_ = regv1::RegistryService::NewStub(channel_);
    accounts_ = regv1::AccountService::NewStub(channel_);
    submissions_ = subv1::SubmissionService::NewStub(channel_);
    scoring_ = scov1::ScoringService::NewStub(channel_);
    auto made = testing::CreateCycleOnDefaultRulebook(
        channel_, tokens_->Admin(), "2025", [&](int i) { return std::make_pair(Day(kDays[i][0]), Day(kDays[i][1])); },
        Day(60), /*advance=*/1);
    ASSERT_TRUE(made.ok()) << made.status();
    rulebook_ = made->rulebook;
  }

  absl::Time Day(int d) const { return start_ + absl::Hours(24 * d); }

  // Moves the business clock and the cycle (as far as final verification).
  void At(absl::Time t) {
    clock_.Set(t);
    tokens_ = std::make_unique<TestTokens>(&suite_->suite().verifier(), &clock_);  // tokens at the new time
    for (;;) {
      regv1::GetCycleRequest get;
      get.set_cycle_id("2025");
      regv1::GetCycleResponse got;
      ASSERT_TRUE(registry_->GetCycle(As(admin_).get(), get, &got).ok());
      if (got.cycle().state() >= regv1::CYCLE_STATE_FINAL_VERIFICATION) return;
      regv1::AdvanceCycleRequest adv;
      adv.set_cycle_id("2025");
      regv1::AdvanceCycleResponse advanced;
      if (!registry_->AdvanceCycle(As(admin_).get(), adv, &advanced).ok()) return;  // not its time yet
    }
  }

  std::unique_ptr<grpc::ClientContext> As(const auth::Principal& who) {
    return testing::AuthedContext(tokens_->For(who));
  }

  // Events delivered and scores settled, as the background workers would.
  // The clock moves a few seconds per pass so that a delivery that failed
  // (a service token minted just before a jump of the clock) is due again.
  void Settle() {
    for (int pass = 0; pass < 3; ++pass) {
      clock_.Advance(absl::Seconds(5));
      for (const auto& m : suite_->suite().modules()) {
        if (auto* base = dynamic_cast<outbox::ServiceBase*>(m.get())) {
          ASSERT_TRUE(base->RelayNow().ok());
        }
        if (auto* s = dynamic_cast<scoring::ScoringModule*>(m.get())) {
          ASSERT_TRUE(s->Settle().ok());
        }
      }
    }
  }

  subv1::Submission Get(const std::string& region, const auth::Principal& who) {
    subv1::GetSubmissionRequest req;
    req.set_cycle_id("2025");
    req.set_region_code(region);
    subv1::GetSubmissionResponse resp;
    grpc::Status s = submissions_->GetSubmission(As(who).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.submission();
  }

  absl::StatusOr<subv1::Submission> Fill(const std::string& region, bool best = false) {
    return testing::FillAndSubmit(submissions_.get(), tokens_->For(TestTokens::Operator(region)), "2025", region,
                                  rulebook_, best ? testing::BestValue : testing::WorstValue);
  }

  grpc::Status Verify(const std::string& region, const auth::Principal& who, subv1::Submission* out = nullptr) {
    subv1::VerifySubmissionRequest req;
    req.set_request_id(absl::StrCat("verify-", region, "-", ++requests_));
    req.set_cycle_id("2025");
    req.set_region_code(region);
    req.set_etag(Get(region, who).etag());
    subv1::VerifySubmissionResponse resp;
    grpc::Status s = submissions_->VerifySubmission(As(who).get(), req, &resp);
    if (out != nullptr) *out = resp.submission();
    return s;
  }

  // Provincial verification on day 11 and central review on day 21.
  void VerifiedToCentralReview(const std::vector<std::string>& regions) {
    At(Day(11));
    for (const auto& r : regions) ASSERT_TRUE(Verify(r, prov_).ok()) << r;
    At(Day(21));
    for (const auto& r : regions) ASSERT_TRUE(Verify(r, central_).ok()) << r;
  }

  grpc::Status Publish(scov1::PublicationKind kind, scov1::Publication* out) {
    Settle();
    scov1::PublishResultsRequest req;
    req.set_cycle_id("2025");
    req.set_kind(kind);
    scov1::PublishResultsResponse resp;
    grpc::Status s = scoring_->PublishResults(As(admin_).get(), req, &resp);
    *out = resp.publication();
    return s;
  }

  static std::map<std::string, std::string> Violations(const grpc::Status& s) {
    std::map<std::string, std::string> out;
    google::rpc::Status details;
    if (!details.ParseFromString(s.error_details())) return out;
    for (const auto& any : details.details()) {
      google::rpc::PreconditionFailure failure;
      if (!any.UnpackTo(&failure)) continue;
      for (const auto& v : failure.violations()) out[v.subject()] = v.type();
    }
    return out;
  }

  static std::map<type::v1::Stage, int> NotRankedByStage(const scov1::Publication& p) {
    std::map<type::v1::Stage, int> out;
    for (const auto& c : p.not_ranked_by_stage()) out[c.last_stage()] = c.count();
    return out;
  }

  int64_t FinalTotal(const std::string& region) {
    scov1::GetRegionRankRequest req;
    req.set_cycle_id("2025");
    req.set_region_code(region);
    req.set_view(scov1::RANKING_VIEW_FINAL);
    scov1::GetRegionRankResponse resp;
    grpc::Status s = scoring_->GetRegionRank(As(admin_).get(), req, &resp);
    return s.ok() ? resp.entry().total().hundredths() : -1;
  }

  FakeClock clock_;
  absl::Time start_;
  std::unique_ptr<testing::InProcessSuite> suite_;
  std::unique_ptr<TestTokens> tokens_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<regv1::RegistryService::Stub> registry_;
  std::unique_ptr<regv1::AccountService::Stub> accounts_;
  std::unique_ptr<subv1::SubmissionService::Stub> submissions_;
  std::unique_ptr<scov1::ScoringService::Stub> scoring_;
  regv1::Rulebook rulebook_;
  int requests_ = 0;
  const auth::Principal admin_ = TestTokens::Of(auth::Role::kNationalAdmin, "kemenpppa");
  const auth::Principal prov_ = TestTokens::ProvinceVerifier("35");
  const auth::Principal central_ = TestTokens::Of(auth::Role::kCentralReviewer, "reviewer");
  const auth::Principal field_ = TestTokens::FieldVerifier("32", {"35.72", "35.05"});
};

TEST_F(CyclePathsTest, ARegionThatNeverSubmitsIsCountedOutAndHoldsNothing) {
  ASSERT_TRUE(Fill("35.72").ok());
  // Its 76 files of evidence, in pages.
  subv1::ListEvidenceRequest list;
  list.set_cycle_id("2025");
  list.set_region_code("35.72");
  list.set_page_size(50);
  std::vector<int> pages;
  std::set<std::string> files;
  do {
    subv1::ListEvidenceResponse page;
    ASSERT_TRUE(submissions_->ListEvidence(As(prov_).get(), list, &page).ok());
    pages.push_back(page.evidence_size());
    for (const auto& e : page.evidence()) files.insert(e.evidence_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, (std::vector<int>{50, 26}));
  EXPECT_EQ(files.size(), 76u);
  // Kabupaten Blitar lets the self-evaluation close without submitting.
  VerifiedToCentralReview({"35.72"});
  const subv1::Submission idle = Get("35.05", TestTokens::Operator("35.05"));
  EXPECT_EQ(idle.state(), subv1::SUBMISSION_STATE_DRAFT);
  EXPECT_FALSE(idle.allowed().may_edit() || idle.allowed().may_submit());
  subv1::SaveAnswersRequest late;
  late.set_request_id("late");
  late.set_cycle_id("2025");
  late.set_region_code("35.05");
  *late.add_answers() = testing::AllAnswers(rulebook_, 1)[0][0];
  subv1::SaveAnswersResponse saved;
  grpc::Status s = submissions_->SaveAnswers(As(TestTokens::Operator("35.05")).get(), late, &saved);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("deadline passed"));

  At(Day(41));
  scov1::Publication prov;
  ASSERT_TRUE(Publish(scov1::PUBLICATION_KIND_PROVISIONAL, &prov).ok());
  EXPECT_EQ(prov.ranked_count(), 1);
  EXPECT_EQ(prov.not_ranked_count(), 513);
  At(Day(46));
  ASSERT_TRUE(Verify("35.72", central_).ok());
  scov1::Publication fin;
  grpc::Status published = Publish(scov1::PUBLICATION_KIND_FINAL, &fin);
  ASSERT_TRUE(published.ok()) << published.error_message();  // the window is still open: nobody else can get there
  EXPECT_EQ(fin.ranked_count(), 1);
  EXPECT_EQ(NotRankedByStage(fin), (std::map<type::v1::Stage, int>{{type::v1::STAGE_UNSPECIFIED, 513}}));
}

TEST_F(CyclePathsTest, ARegionGivenAnExtensionSubmitsAfterTheOthersDeadline) {
  regv1::GrantExtensionRequest grant;
  grant.set_request_id(absl::StrCat("extension-", ++requests_));
  auto* e = grant.mutable_extension();
  e->set_cycle_id("2025");
  e->set_region_code("35.05");
  e->set_phase(regv1::CYCLE_PHASE_SELF_EVALUATION);
  *e->mutable_close_time() = Ts(Day(12));
  e->set_reason("Banjir di Kabupaten Blitar: tambahan 2x24 jam");
  regv1::GrantExtensionResponse granted;
  ASSERT_TRUE(registry_->GrantExtension(As(admin_).get(), grant, &granted).ok());

  At(Day(11));
  // Kota Surabaya has no extension: its deadline passed.
  auto refused = Fill("35.78");
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("deadline passed"));
  auto sent = Fill("35.05");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->state(), subv1::SUBMISSION_STATE_AWAITING_VERIFICATION);
  // The province verifies it in its own window like any other.
  subv1::Submission verified;
  ASSERT_TRUE(Verify("35.05", prov_, &verified).ok());
  EXPECT_EQ(verified.stage(), type::v1::STAGE_CENTRAL_REVIEW);
}

TEST_F(CyclePathsTest, AFieldVisitThatCannotHappenNeitherBlocksNorRanks) {
  // Both score 1000,00: above the threshold, a field visit is due.
  ASSERT_TRUE(Fill("35.72", /*best=*/true).ok());
  ASSERT_TRUE(Fill("35.05", /*best=*/true).ok());
  VerifiedToCentralReview({"35.72", "35.05"});
  EXPECT_EQ(Get("35.72", central_).stage(), type::v1::STAGE_FIELD_VERIFICATION);
  // The visit to Kota Blitar is postponed: the ministry gives it until day
  // 50. Kabupaten Blitar's cannot happen at all.
  regv1::GrantExtensionRequest grant;
  grant.set_request_id(absl::StrCat("extension-", ++requests_));
  auto* e = grant.mutable_extension();
  e->set_cycle_id("2025");
  e->set_region_code("35.72");
  e->set_phase(regv1::CYCLE_PHASE_FIELD_VERIFICATION);
  *e->mutable_close_time() = Ts(Day(50));
  e->set_reason("Kunjungan lapangan ditunda: akses jalan terputus");
  regv1::GrantExtensionResponse granted;
  ASSERT_TRUE(registry_->GrantExtension(As(admin_).get(), grant, &granted).ok());

  At(Day(47));
  scov1::Publication fin;
  grpc::Status held = Publish(scov1::PUBLICATION_KIND_FINAL, &fin);
  ASSERT_EQ(held.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto why = Violations(held);
  EXPECT_EQ(why["35.72"], "AWAITING_FINAL_VERIFICATION") << held.error_message();  // its visit can still happen
  EXPECT_EQ(why["35.05"], "NOT_EVALUATED");
  grpc::Status visited = Verify("35.72", field_);
  ASSERT_TRUE(visited.ok()) << visited.error_message();
  grpc::Status verified = Verify("35.72", central_);
  ASSERT_TRUE(verified.ok()) << verified.error_message();
  grpc::Status published = Publish(scov1::PUBLICATION_KIND_FINAL, &fin);
  ASSERT_TRUE(published.ok()) << published.error_message();
  EXPECT_EQ(fin.ranked_count(), 1);
  EXPECT_EQ(FinalTotal("35.72"), 100000);
  EXPECT_EQ(FinalTotal("35.05"), -1);
  EXPECT_EQ(NotRankedByStage(fin)[type::v1::STAGE_CENTRAL_REVIEW], 1);
}

TEST_F(CyclePathsTest, AnObjectionFiledInTheLastMinuteIsDecidedBeforeFinalVerification) {
  ASSERT_TRUE(Fill("35.72").ok());
  VerifiedToCentralReview({"35.72"});
  At(Day(41));
  scov1::Publication prov;
  ASSERT_TRUE(Publish(scov1::PUBLICATION_KIND_PROVISIONAL, &prov).ok());
  const auth::Principal op = TestTokens::Operator("35.72");
  At(Day(kDays[4][1]) - absl::Minutes(1));
  std::map<int, std::string> evidence;  // indicator -> its supporting file
  for (int indicator : {1, 2}) {
    auto uploaded = testing::UploadSmallEvidence(submissions_.get(), tokens_->For(op), "2025", "35.72",
                                                 rulebook_.indicators(indicator - 1).items(0).id(),
                                                 subv1::EVIDENCE_PURPOSE_OBJECTION);
    ASSERT_TRUE(uploaded.ok()) << uploaded.status();
    evidence[indicator] = *uploaded;
  }
  auto object = [&](const std::string& id, int indicator) {
    subv1::FileObjectionRequest req;
    req.set_request_id(id);
    req.set_cycle_id("2025");
    req.set_region_code("35.72");
    req.set_etag(Get("35.72", op).etag());
    req.set_indicator(indicator);
    req.set_reason("Perda KLA sudah ditetapkan, lihat lampiran");
    req.add_evidence_ids(evidence[indicator]);
    subv1::FileObjectionResponse resp;
    return submissions_->FileObjection(As(op).get(), req, &resp);
  };
  grpc::Status filed = object("sanggah-1", 1);
  ASSERT_TRUE(filed.ok()) << filed.error_message();
  At(Day(kDays[4][1]) + absl::Minutes(1));
  EXPECT_EQ(object("sanggah-2", 2).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  At(Day(46));
  grpc::Status waiting = Verify("35.72", central_);
  ASSERT_EQ(waiting.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(waiting.error_message(), HasSubstr("waits for its decision"));
  const subv1::Submission s = Get("35.72", central_);
  ASSERT_EQ(s.objections_size(), 1);
  subv1::ResolveObjectionRequest resolve;
  resolve.set_request_id("putus-1");
  resolve.set_cycle_id("2025");
  resolve.set_region_code("35.72");
  resolve.set_etag(s.etag());
  resolve.set_objection_id(s.objections(0).objection_id());
  resolve.set_decision(subv1::OBJECTION_DECISION_REJECT);
  resolve.set_reason("Perda belum diundangkan pada saat penilaian");
  subv1::ResolveObjectionResponse resolved;
  grpc::Status decided = submissions_->ResolveObjection(As(central_).get(), resolve, &resolved);
  ASSERT_TRUE(decided.ok()) << decided.error_message();
  ASSERT_TRUE(Verify("35.72", central_).ok());
  scov1::Publication fin;
  ASSERT_TRUE(Publish(scov1::PUBLICATION_KIND_FINAL, &fin).ok());
  EXPECT_EQ(fin.ranked_count(), 1);
}

TEST_F(CyclePathsTest, ARulebookCorrectedAfterTheProvisionalResultsIsRecomputedIntoTheFinalOnes) {
  ASSERT_TRUE(Fill("35.72").ok());  // every item at its worst: 0,00
  VerifiedToCentralReview({"35.72"});
  At(Day(41));
  scov1::Publication prov;
  ASSERT_TRUE(Publish(scov1::PUBLICATION_KIND_PROVISIONAL, &prov).ok());
  // The ministry corrects the rulebook: the items stay, their shares
  // change (here each choice's lowest option now earns half).
  regv1::Rulebook corrected = rulebook_;
  corrected.set_version(rulebook_.version() + "-koreksi");
  int changed_options = 0;
  for (auto& ind : *corrected.mutable_indicators()) {
    for (auto& item : *ind.mutable_items()) {
      for (auto& o : *item.mutable_options()) {
        if (o.share_percent() == 0) {
          o.set_share_percent(50);
          ++changed_options;
        }
      }
    }
  }
  ASSERT_GT(changed_options, 0);
  regv1::UploadRulebookRequest up;
  up.set_request_id("koreksi");
  *up.mutable_rulebook() = corrected;
  regv1::UploadRulebookResponse stored;
  grpc::Status s = registry_->UploadRulebook(As(admin_).get(), up, &stored);
  ASSERT_TRUE(s.ok()) << s.error_message();
  regv1::GetCycleRequest get;
  get.set_cycle_id("2025");
  regv1::GetCycleResponse cycle;
  ASSERT_TRUE(registry_->GetCycle(As(admin_).get(), get, &cycle).ok());
  regv1::UpdateCycleRequest update;
  *update.mutable_cycle() = cycle.cycle();
  update.mutable_cycle()->set_rulebook_version(corrected.version());
  update.mutable_update_mask()->add_paths("rulebook_version");
  regv1::UpdateCycleResponse updated;
  s = registry_->UpdateCycle(As(admin_).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  scov1::RecomputeCycleRequest recompute;
  recompute.set_cycle_id("2025");
  recompute.set_request_id("recompute-koreksi");
  scov1::RecomputeCycleResponse job;
  ASSERT_TRUE(scoring_->RecomputeCycle(As(admin_).get(), recompute, &job).ok());
  Settle();
  scov1::GetRecomputeJobRequest get_job;
  get_job.set_job_id(job.job().job_id());
  scov1::GetRecomputeJobResponse done;
  ASSERT_TRUE(scoring_->GetRecomputeJob(As(admin_).get(), get_job, &done).ok());
  EXPECT_EQ(done.job().state(), scov1::JOB_STATE_SUCCEEDED);
  EXPECT_GT(done.job().changed(), 0);

  // The provisional results stay as announced; the final ones use the
  // corrected rulebook.
  scov1::GetRankingRequest ranking;
  ranking.set_cycle_id("2025");
  ranking.set_view(scov1::RANKING_VIEW_PROVISIONAL);
  scov1::GetRankingResponse provisional;
  ASSERT_TRUE(scoring_->GetRanking(As(admin_).get(), ranking, &provisional).ok());
  ASSERT_EQ(provisional.entries_size(), 1);
  const int64_t before = provisional.entries(0).total().hundredths();
  At(Day(46));
  ASSERT_TRUE(Verify("35.72", central_).ok());
  scov1::Publication fin;
  ASSERT_TRUE(Publish(scov1::PUBLICATION_KIND_FINAL, &fin).ok());
  EXPECT_GT(FinalTotal("35.72"), before);
}

TEST_F(CyclePathsTest, AnOperatorDisabledMidCycleIsLockedOutAndTheRegionCarriesOn) {
  regv1::CreateAccountRequest create;
  create.set_request_id("akun-1");
  auto* a = create.mutable_account();
  a->set_name("op.kota-blitar");
  a->set_display_name("Operator Gugus Tugas KLA Kota Blitar");
  a->set_kind(regv1::ACCOUNT_KIND_PERSON);
  a->set_role(regv1::ROLE_REGION_OPERATOR);
  a->set_region_code("35.72");
  regv1::CreateAccountResponse created;
  grpc::Status s = accounts_->CreateAccount(As(admin_).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  regv1::LoginRequest login;
  login.set_name("op.kota-blitar");
  login.set_password(created.secret());
  login.set_new_password("Rahasia-Kota-Blitar-2025");
  regv1::LoginResponse signed_in;
  s = accounts_->Login(std::make_unique<grpc::ClientContext>().get(), login, &signed_in);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const auto batches = testing::AllAnswers(rulebook_, 40);
  subv1::SaveAnswersRequest save;
  save.set_request_id("half");
  save.set_cycle_id("2025");
  save.set_region_code("35.72");
  for (const auto& answer : batches[0]) *save.add_answers() = answer;
  subv1::SaveAnswersResponse saved;
  s = submissions_->SaveAnswers(testing::AuthedContext(signed_in.token()).get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // The operator leaves the office: the ministry disables the account.
  regv1::UpdateAccountRequest disable;
  *disable.mutable_account() = signed_in.account();
  disable.mutable_account()->set_state(regv1::ACCOUNT_STATE_DISABLED);
  disable.mutable_update_mask()->add_paths("state");
  regv1::UpdateAccountResponse disabled;
  s = accounts_->UpdateAccount(As(admin_).get(), disable, &disabled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  save.set_request_id("after");
  save.set_etag(saved.submission().etag());
  s = submissions_->SaveAnswers(testing::AuthedContext(signed_in.token()).get(), save, &saved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Its successor finds the answers saved so far and finishes.
  const subv1::Submission found = Get("35.72", TestTokens::Operator("35.72"));
  EXPECT_EQ(found.progress().answered(), static_cast<int>(batches[0].size()));
  auto sent = Fill("35.72");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->state(), subv1::SUBMISSION_STATE_AWAITING_VERIFICATION);
  subv1::ListAuditEntriesRequest audit;
  audit.set_cycle_id("2025");
  audit.set_region_code("35.72");
  audit.set_item_id(batches[0][0].item_id());
  subv1::ListAuditEntriesResponse trail;
  ASSERT_TRUE(submissions_->ListAuditEntries(As(prov_).get(), audit, &trail).ok());
  ASSERT_GE(trail.entries_size(), 1);
  EXPECT_EQ(trail.entries(0).actor(), "op.kota-blitar");  // who answered first stays on record
}

}  // namespace
}  // namespace kla
