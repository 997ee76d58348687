// In-process server tests: the whole suite on SQLite with an injected clock;
// submission events delivered through EventInbox as the submission service
// sends them; ScoringService called as the roles that use it.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/scoring/scoring_module.h"
#include "services/server/testing/in_process_suite.h"

namespace kla::scoring {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;
namespace regv1 = registry::v1;

class ScoringServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    auto suite = testing::InProcessSuite::Start({.clock = &clock_});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    tokens_ = std::make_unique<testing::TestTokens>(&suite_->suite().verifier(), &clock_);
    auto channel = suite_->channel();
    registry_ = regv1::RegistryService::NewStub(channel);
    inbox_ = event::v1::EventInbox::NewStub(channel);
    stub_ = v1::ScoringService::NewStub(channel);

    const absl::Time t = clock_.Now();
    auto made = testing::CreateCycleOnDefaultRulebook(
        channel, tokens_->Admin(), "2025",
        [&](int i) { return std::make_pair(t + absl::Hours(24 * (10 * i - 1)), t + absl::Hours(24 * (10 * i + 5))); },
        t + absl::Hours(24 * 90));
    ASSERT_TRUE(made.ok()) << made.status();
    rulebook_ = made->rulebook;
  }

  std::unique_ptr<grpc::ClientContext> Admin() { return testing::AuthedContext(tokens_->Admin()); }
  std::unique_ptr<grpc::ClientContext> Operator(const std::string& region) {
    return testing::AuthedContext(tokens_->For(testing::TestTokens::Operator(region)));
  }
  static std::unique_ptr<grpc::ClientContext> Public() { return std::make_unique<grpc::ClientContext>(); }

  // Kota Blitar's answers at a stage: every item "ya"/best option or none.
  grpc::Status Deliver(const std::string& event_id, const std::string& region, type::v1::Stage stage, bool full,
                       event::v1::DeliverResponse* resp) {
    submission::v1::StageAnswersChanged changed;
    auto* a = changed.mutable_answers();
    a->set_cycle_id("2025");
    a->set_region_code(region);
    a->set_stage(stage);
    a->set_rulebook_version(rulebook_.version());
    a->set_revision(1);
    for (const auto& ind : rulebook_.indicators()) {
      for (const auto& item : ind.items()) {
        if (item.type() != regv1::ITEM_TYPE_BOOLEAN) continue;
        auto* x = a->add_answers();
        x->set_item_id(item.id());
        x->mutable_value()->set_boolean(full);
        x->add_evidence_ids("ev");
      }
    }
    event::v1::DeliverRequest req;
    auto* e = req.mutable_event();
    e->set_event_id(event_id);
    e->set_source("submission");
    e->set_target("scoring");
    e->mutable_payload()->PackFrom(changed);
    return inbox_->Deliver(
        testing::AuthedContext(tokens_->For(testing::TestTokens::Of(auth::Role::kService, "svc.submission"))).get(),
        req, resp);
  }

  FakeClock clock_;
  std::unique_ptr<testing::InProcessSuite> suite_;
  std::unique_ptr<testing::TestTokens> tokens_;
  std::unique_ptr<regv1::RegistryService::Stub> registry_;
  std::unique_ptr<event::v1::EventInbox::Stub> inbox_;
  std::unique_ptr<v1::ScoringService::Stub> stub_;
  regv1::Rulebook rulebook_;
};

TEST_F(ScoringServiceTest, EventsBecomeScoresOnceAndDuplicatesAreAcknowledged) {
  event::v1::DeliverResponse delivered;
  ASSERT_TRUE(Deliver("e1", "35.72", type::v1::STAGE_SELF_EVALUATION, true, &delivered).ok());
  EXPECT_FALSE(delivered.duplicate());
  ASSERT_TRUE(Deliver("e1", "35.72", type::v1::STAGE_SELF_EVALUATION, true, &delivered).ok());
  EXPECT_TRUE(delivered.duplicate());

  v1::GetScoreRequest req;
  req.set_cycle_id("2025");
  req.set_region_code("35.72");
  req.set_view(v1::SCORE_VIEW_EXPLAINED);
  v1::GetScoreResponse resp;
  ASSERT_TRUE(stub_->GetScore(Operator("35.72").get(), req, &resp).ok());
  EXPECT_EQ(resp.score().region().name(), "Kota Blitar");
  EXPECT_EQ(resp.score().indicators_size(), 24);
  EXPECT_EQ(resp.score().run_id(), "event:e1");
  EXPECT_GT(resp.score().total().hundredths(), 0);
  // The region's own path; another region's operator is refused by the guard.
  v1::GetNextLevelPathRequest path;
  path.set_cycle_id("2025");
  path.set_region_code("35.72");
  v1::GetNextLevelPathResponse p;
  ASSERT_TRUE(stub_->GetNextLevelPath(Operator("35.72").get(), path, &p).ok());
  EXPECT_EQ(stub_->GetNextLevelPath(Operator("35.78").get(), path, &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ScoringServiceTest, BadInputUnknownThingsAndTheUnpublishedAreMappedToTheirCodes) {
  v1::GetScoreRequest req;
  req.set_cycle_id("2025");
  req.set_region_code("35-72");
  v1::GetScoreResponse resp;
  grpc::Status s = stub_->GetScore(Admin().get(), req, &resp);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "region_code");

  req.set_region_code("35.72");
  req.set_cycle_id("1999");
  EXPECT_EQ(stub_->GetScore(Admin().get(), req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  req.set_cycle_id("2025");
  EXPECT_EQ(stub_->GetScore(Admin().get(), req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);  // not scored yet
  // The public: no leak of unpublished results.
  s = stub_->GetScore(Public().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("not announced"));
  v1::GetRankingRequest rank;
  rank.set_cycle_id("2025");
  v1::GetRankingResponse ranking;
  EXPECT_EQ(stub_->GetRanking(Public().get(), rank, &ranking).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  rank.set_page_size(-1);
  EXPECT_EQ(stub_->GetRanking(Admin().get(), rank, &ranking).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Only the ministry publishes; too early for it anyway.
  v1::PublishResultsRequest pub;
  pub.set_cycle_id("2025");
  pub.set_kind(v1::PUBLICATION_KIND_FINAL);
  v1::PublishResultsResponse published;
  EXPECT_EQ(stub_->PublishResults(Operator("35.72").get(), pub, &published).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->PublishResults(Admin().get(), pub, &published).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  pub.clear_kind();
  EXPECT_EQ(stub_->PublishResults(Admin().get(), pub, &published).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ScoringServiceTest, RecomputeJobAndLiveRanking) {
  event::v1::DeliverResponse delivered;
  ASSERT_TRUE(Deliver("a", "35.72", type::v1::STAGE_SELF_EVALUATION, true, &delivered).ok());
  ASSERT_TRUE(Deliver("b", "35.78", type::v1::STAGE_SELF_EVALUATION, false, &delivered).ok());
  v1::RecomputeCycleRequest req;
  req.set_cycle_id("2025");
  req.set_request_id("rc-1");
  v1::RecomputeCycleResponse job;
  ASSERT_TRUE(stub_->RecomputeCycle(Admin().get(), req, &job).ok());
  ScoringModule* scoring = nullptr;
  for (const auto& m : suite_->suite().modules()) {
    if (m->name() == "scoring") scoring = dynamic_cast<ScoringModule*>(m.get());
  }
  ASSERT_NE(scoring, nullptr);
  ASSERT_TRUE(scoring->Settle().ok());  // the worker's pass, now
  v1::GetRecomputeJobRequest get;
  get.set_job_id(job.job().job_id());
  v1::GetRecomputeJobResponse got;
  ASSERT_TRUE(stub_->GetRecomputeJob(Admin().get(), get, &got).ok());
  EXPECT_EQ(got.job().state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(got.job().done(), 2);
  EXPECT_EQ(got.job().changed(), 0);  // same rulebook: same scores

  v1::GetRankingRequest rank;
  rank.set_cycle_id("2025");
  v1::GetRankingResponse ranking;
  ASSERT_TRUE(stub_->GetRanking(Admin().get(), rank, &ranking).ok());
  EXPECT_EQ(ranking.view(), v1::RANKING_VIEW_LIVE);
  ASSERT_EQ(ranking.entries_size(), 2);
  EXPECT_EQ(ranking.entries(0).region().code(), "35.72");
  EXPECT_EQ(ranking.entries(0).province().name(), "Jawa Timur");
}

}  // namespace
}  // namespace kla::scoring
