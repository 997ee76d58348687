// The scoring domain on both SQL engines with a fake registry and an
// injected clock: events delivered twice and out of order, explanations,
// ties, publication, embargo, visibility, Provila, recompute.
//
// Totals in these tests: "1.1" = pNN earns 80 % x NN, "1.2" (yes, with
// evidence) 20 %, of 1000 points: total = 8 x NN + 200 (p50 = 600,00).

#include "services/scoring/domain/scoring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "kla/scoring/v1/events.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/kernel/time.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "services/scoring/storage/migrations.h"
#include "services/scoring/storage/sql_score_store.h"
#include "services/scoring/testing/fakes.h"

namespace kla::scoring {
namespace {

using ::testing::ElementsAre;
using testing::Engine;
using ::testing::HasSubstr;
using type::v1::Stage;
using Role = auth::Role;

auth::Principal As(Role role, std::string region = "", std::string province = "") {
  auth::Principal p;
  p.subject = "uji";
  p.role = role;
  p.region_code = std::move(region);
  p.province_code = std::move(province);
  return p;
}
const auth::Principal kAdmin = As(Role::kNationalAdmin);
const auth::Principal kPublic = auth::Principal::Anonymous();

class ScoringTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "scoring");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "scoring", ScoringMigrations()).ok());
    store_ = std::make_unique<SqlScoreStore>(db_.get(), &outbox_, &clock_);
    book_ = std::make_unique<RankingBook>(store_.get(), nullptr, &clock_, absl::ZeroDuration());
    scoring_ = std::make_unique<ScoringUseCases>(store_.get(), &directory_, book_.get(), &clock_);
    directory_.Cycle("2025");
  }

  void Score(const std::string& region, Stage stage, int percent, int64_t revision = 1) {
    auto r = scoring_->scores.ApplyStageAnswers(
        fakes::Delivered(absl::StrCat(region, "-", stage, "-", revision, "-", percent)),
        fakes::Answers("2025", region, stage, percent, revision));
    ASSERT_TRUE(r.ok()) << r.status();
  }
  int64_t Total(const std::string& region, Stage stage = type::v1::STAGE_UNSPECIFIED) {
    auto s = scoring_->scores.GetScore("2025", region, stage, false, kAdmin);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->total().hundredths() : -1;
  }
  int64_t OutboxRows() {
    auto r = db_->Execute("SELECT COUNT(*) FROM scoring_outbox");
    return r.ok() ? r->rows[0].Int(0) : -1;
  }
  void MoveCycleTo(registry::v1::CycleState state) { directory_.Cycle("2025").set_state(state); }

  testing::TempDir dir_;
  FakeClock clock_;
  outbox::Outbox outbox_{"scoring", &clock_};
  fakes::FakeDirectory directory_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlScoreStore> store_;
  std::unique_ptr<RankingBook> book_;
  std::unique_ptr<ScoringUseCases> scoring_;
};

TEST_P(ScoringTest, EventsTwiceAndOutOfOrderKeepTheNewestRevision) {
  const auto rev2 = fakes::Answers("2025", "35.72", type::v1::STAGE_PROVINCIAL_VERIFICATION, 70, 2);
  const auto rev1 = fakes::Answers("2025", "35.72", type::v1::STAGE_PROVINCIAL_VERIFICATION, 40, 1);
  EXPECT_FALSE(*scoring_->scores.ApplyStageAnswers(fakes::Delivered("e2"), rev2));
  EXPECT_TRUE(*scoring_->scores.ApplyStageAnswers(fakes::Delivered("e2"), rev2));  // delivered twice
  EXPECT_FALSE(
      *scoring_->scores.ApplyStageAnswers(fakes::Delivered("e1"), rev1));  // late and older: recorded, not applied
  EXPECT_EQ(Total("35.72"), 76000);                                        // 8 x 70 + 200
  auto s = scoring_->scores.GetScore("2025", "35.72", type::v1::STAGE_PROVINCIAL_VERIFICATION, false, kAdmin);
  EXPECT_EQ(s->revision(), 2);
  EXPECT_EQ(s->run_id(), "event:e2");
  EXPECT_EQ(s->predicate(), type::v1::PREDICATE_NINDYA);
  // One change only: the counter moved once.
  EXPECT_EQ((*store_->ChangeCounters())["2025"], 1);
}

TEST_P(ScoringTest, ExplanationNamesUnmetItemsMissingEvidenceAndAgencies) {
  auto a = fakes::Answers("2025", "35.72", type::v1::STAGE_SELF_EVALUATION, 50, 1, /*documented=*/false);
  ASSERT_TRUE(scoring_->scores.ApplyStageAnswers(fakes::Delivered("e"), a).ok());
  auto s =
      scoring_->scores.GetScore("2025", "35.72", type::v1::STAGE_UNSPECIFIED, true, As(Role::kRegionOperator, "35.72"));
  ASSERT_TRUE(s.ok()) << s.status();
  // 1.1 p50: 40,00 of the indicator; 1.2 "ya" without its evidence: nothing.
  EXPECT_EQ(s->total().hundredths(), 40000);
  EXPECT_EQ(s->region().name(), "Kota Blitar");
  EXPECT_EQ(s->province().name(), "Jawa Timur");
  ASSERT_EQ(s->indicators_size(), 1);
  const auto& ind = s->indicators(0);
  EXPECT_EQ(ind.earned().hundredths(), 40000);
  EXPECT_EQ(ind.possible().hundredths(), 100000);
  ASSERT_EQ(ind.unmet_items_size(), 2);
  EXPECT_EQ(ind.unmet_items(0).item_id(), "1.1");
  EXPECT_EQ(ind.unmet_items(0).earned_share_percent(), 50);
  EXPECT_EQ(ind.unmet_items(1).item_id(), "1.2");
  EXPECT_TRUE(ind.unmet_items(1).evidence_missing());
  EXPECT_EQ(ind.unmet_items(1).owner_opd(), "Bagian Hukum");
  // Basic view: no indicators.
  EXPECT_EQ(Total("35.72"), 40000);
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", {}, false, kAdmin)->indicators_size(), 0);

  // Pratama needs 500,00: 1.1 in full (+400,00) or the evidence of 1.2
  // (+200,00) would each do; the smaller gain is the path.
  auto path = scoring_->scores.GetPath("2025", "35.72", {}, As(Role::kRegionOperator, "35.72"));
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->current(), type::v1::PREDICATE_NONE);
  EXPECT_EQ(path->next(), type::v1::PREDICATE_PRATAMA);
  ASSERT_EQ(path->agencies_size(), 1);
  EXPECT_EQ(path->agencies(0).owner_opd(), "Bagian Hukum");
  EXPECT_TRUE(path->agencies(0).items(0).evidence_only());
  EXPECT_EQ(path->total_after().hundredths(), 60000);
}

TEST_P(ScoringTest, DryRunScoresADraftAndChecksItsAnswers) {
  submission::v1::Answer a;
  a.set_item_id("1.1");
  a.mutable_value()->set_choice("p100");
  auto run = scoring_->scores.DryRunScore("2025", "35.72", {a});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->score.total().hundredths(), 80000);              // 1.2 unanswered
  EXPECT_EQ(run->score.predicate(), type::v1::PREDICATE_NINDYA);  // Utama starts at 801,00
  EXPECT_EQ(run->path.next(), type::v1::PREDICATE_UTAMA);
  EXPECT_TRUE(store_->ListCycle("2025", false)->empty());  // nothing stored

  submission::v1::Answer wrong;
  wrong.set_item_id("1.2");
  wrong.mutable_value()->set_count(3);
  submission::v1::Answer unknown;
  unknown.set_item_id("9.9");
  auto bad = scoring_->scores.DryRunScore("2025", "35.72", {wrong, unknown});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(bad.status()).size(), 2u);
  // An option the item does not have is refused, as a save refuses it (it
  // used to score 0).
  submission::v1::Answer no_such_option = a;
  no_such_option.mutable_value()->set_choice("p999");
  auto refused = scoring_->scores.DryRunScore("2025", "35.72", {no_such_option});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(GetFieldViolations(refused.status()).size(), 1u);
  EXPECT_THAT(GetFieldViolations(refused.status())[0].description, HasSubstr("is not one of its options"));
  EXPECT_EQ(scoring_->scores.DryRunScore("2024", "35.72", {a}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scoring_->scores.DryRunScore("2025", "35.99", {a}).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(ScoringTest, TiesShareACompetitionRankListedByRegionCode) {
  Score("35.78", type::v1::STAGE_SELF_EVALUATION, 75);  // 800,00
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 70);  // 760,00
  Score("11.01", type::v1::STAGE_SELF_EVALUATION, 70);  // 760,00
  Score("35.05", type::v1::STAGE_SELF_EVALUATION, 40);  // 520,00
  ASSERT_EQ(*book_->RefreshStale(), 1);
  auto page = scoring_->rankings.GetRanking({.cycle_id = "2025"}, kAdmin);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->view, v1::RANKING_VIEW_LIVE);
  std::vector<std::pair<std::string, int>> got;
  for (const auto& e : page->entries) got.emplace_back(e.region().code(), e.rank());
  EXPECT_THAT(got, ElementsAre(std::pair<std::string, int>{"35.78", 1}, std::pair<std::string, int>{"11.01", 2},
                               std::pair<std::string, int>{"35.72", 2}, std::pair<std::string, int>{"35.05", 4}));
  // Within Jawa Timur: 1, 2, 3.
  auto jatim = scoring_->rankings.GetRanking({.cycle_id = "2025", .province_code = "35"}, kAdmin);
  ASSERT_EQ(jatim->entries.size(), 3u);
  EXPECT_EQ(jatim->entries[1].region().code(), "35.72");
  EXPECT_EQ(jatim->entries[1].province_rank(), 2);
  EXPECT_EQ(jatim->entries[1].rank(), 2);
  auto rank = scoring_->rankings.GetRegionRank("2025", "35.72", v1::RANKING_VIEW_LIVE, {}, kAdmin);
  EXPECT_EQ(rank->entry.rank(), 2);
  EXPECT_EQ(rank->national_count, 4);
  EXPECT_EQ(rank->province_count, 3);
  // Pages of two, one snapshot.
  auto p1 = scoring_->rankings.GetRanking({.cycle_id = "2025", .page_size = 2}, kAdmin);
  auto p2 =
      scoring_->rankings.GetRanking({.cycle_id = "2025", .page_size = 2, .page_token = p1->next_page_token}, kAdmin);
  ASSERT_TRUE(p2.ok()) << p2.status();
  EXPECT_EQ(p2->entries[0].region().code(), "35.72");
  EXPECT_TRUE(p2->next_page_token.empty());
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025", .page_token = "forged"}, kAdmin).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ScoringTest, RankingFiltersAndOrderKeepTheRanks) {
  Score("35.78", type::v1::STAGE_SELF_EVALUATION, 75);  // 800,00
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 70);  // 760,00
  Score("11.01", type::v1::STAGE_SELF_EVALUATION, 70);  // 760,00
  Score("35.05", type::v1::STAGE_SELF_EVALUATION, 40);  // 520,00 Pratama
  ASSERT_EQ(*book_->RefreshStale(), 1);
  auto codes = [&](RankingQuery q) {
    q.cycle_id = "2025";
    auto page = scoring_->rankings.GetRanking(q, kAdmin);
    std::vector<std::pair<std::string, int>> out;
    if (!page.ok()) return out;
    for (const auto& e : page->entries) out.emplace_back(e.region().code(), e.rank());
    return out;
  };
  using P = std::pair<std::string, int>;
  EXPECT_THAT(codes({.region_level = type::v1::REGION_LEVEL_KOTA}), ElementsAre(P{"35.78", 1}, P{"35.72", 2}));
  EXPECT_THAT(codes({.region_level = type::v1::REGION_LEVEL_KABUPATEN}), ElementsAre(P{"11.01", 2}, P{"35.05", 4}));
  EXPECT_THAT(codes({.name_query = " BLITAR"}), ElementsAre(P{"35.72", 2}, P{"35.05", 4}));
  EXPECT_THAT(codes({.province_code = "35", .name_query = "blitar", .order_by = "name"}),
              ElementsAre(P{"35.05", 4}, P{"35.72", 2}));  // Blitar|35.05 before Blitar|35.72
  EXPECT_THAT(codes({.predicate = type::v1::PREDICATE_PRATAMA}), ElementsAre(P{"35.05", 4}));
  EXPECT_THAT(codes({.order_by = "rank desc"}),
              ElementsAre(P{"35.05", 4}, P{"35.72", 2}, P{"11.01", 2}, P{"35.78", 1}));
  // Aceh Selatan, Blitar, Blitar, Surabaya.
  EXPECT_THAT(codes({.order_by = "name desc"}),
              ElementsAre(P{"35.78", 1}, P{"35.72", 2}, P{"35.05", 4}, P{"11.01", 2}));
  auto kota = scoring_->rankings.GetRanking(
      {.cycle_id = "2025", .page_size = 1, .region_level = type::v1::REGION_LEVEL_KOTA}, kAdmin);
  ASSERT_TRUE(kota.ok()) << kota.status();
  EXPECT_EQ(kota->total_size, 2);
  auto next = scoring_->rankings.GetRanking({.cycle_id = "2025",
                                             .page_size = 1,
                                             .page_token = kota->next_page_token,
                                             .region_level = type::v1::REGION_LEVEL_KOTA},
                                            kAdmin);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->entries[0].region().code(), "35.72");
  // A token is good only with the filters it was made for.
  EXPECT_EQ(
      scoring_->rankings.GetRanking({.cycle_id = "2025", .page_size = 1, .page_token = kota->next_page_token}, kAdmin)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  for (const RankingQuery& bad :
       {RankingQuery{.cycle_id = "2025", .order_by = "total"},
        RankingQuery{.cycle_id = "2025", .region_level = type::v1::REGION_LEVEL_PROVINCE},
        RankingQuery{.cycle_id = "2025", .predicate = static_cast<type::v1::Predicate>(42)}}) {
    EXPECT_EQ(scoring_->rankings.GetRanking(bad, kAdmin).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST_P(ScoringTest, PerStageRankingsAndTheLatestStage) {
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 90);
  Score("35.72", type::v1::STAGE_PROVINCIAL_VERIFICATION, 60);
  Score("35.78", type::v1::STAGE_SELF_EVALUATION, 80);
  ASSERT_TRUE(book_->RefreshStale().ok());
  auto self = scoring_->rankings.GetRanking(
      {.cycle_id = "2025", .view = v1::RANKING_VIEW_LIVE, .stage = type::v1::STAGE_SELF_EVALUATION}, kAdmin);
  EXPECT_EQ(self->entries[0].region().code(), "35.72");  // 920,00 at self-evaluation
  auto latest = scoring_->rankings.GetRanking({.cycle_id = "2025", .view = v1::RANKING_VIEW_LIVE}, kAdmin);
  EXPECT_EQ(latest->entries[0].region().code(), "35.78");  // 35.72 is 680,00 after verification
  EXPECT_EQ(latest->entries[1].stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  // A stage only ranks in the LIVE view.
  EXPECT_EQ(
      scoring_->rankings
          .GetRanking({.cycle_id = "2025", .view = v1::RANKING_VIEW_FINAL, .stage = type::v1::STAGE_SELF_EVALUATION},
                      kAdmin)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_P(ScoringTest, WhoSeesWhatBeforePublication) {
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 60);
  ASSERT_TRUE(book_->RefreshStale().ok());
  // The public and integrations: nothing; no leak of unpublished scores.
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", {}, false, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, As(Role::kIntegration)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(scoring_->scores.History("35.72", kPublic)->empty());
  // The region: its own score, not the ranking.
  EXPECT_TRUE(scoring_->scores.GetScore("2025", "35.72", {}, false, As(Role::kRegionOperator, "35.72")).ok());
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", {}, false, As(Role::kRegionOperator, "35.78")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, As(Role::kRegionOperator, "35.72")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoring_->scores.History("35.72", As(Role::kRegionOperator, "35.72"))->size(), 1u);
  // Its province verifier: the live ranking of its province only.
  const auto jatim = As(Role::kProvinceVerifier, "", "35");
  EXPECT_TRUE(scoring_->rankings.GetRanking({.cycle_id = "2025", .province_code = "35"}, jatim).ok());
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025", .province_code = "11"}, jatim).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Unknown cycle and region.
  EXPECT_EQ(scoring_->scores.GetScore("1999", "35.72", {}, false, kAdmin).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "1999"}, kPublic).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scoring_->scores.History("35.99", kAdmin).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35", {}, false, kAdmin).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ScoringTest, RegionsThatFellBehindNeitherHoldNorJoinThePublishedResults) {
  // 11.01 and 35.72 reach central review; 35.05 only provincial
  // verification; 11.02 only its (high) self-assessment; 35.78 nothing.
  Score("11.01", type::v1::STAGE_CENTRAL_REVIEW, 90);
  Score("35.72", type::v1::STAGE_CENTRAL_REVIEW, 70);
  Score("35.05", type::v1::STAGE_PROVINCIAL_VERIFICATION, 60);
  Score("11.02", type::v1::STAGE_SELF_EVALUATION, 100);
  MoveCycleTo(registry::v1::CYCLE_STATE_OBJECTION);
  auto prov = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_PROVISIONAL, kAdmin);
  ASSERT_TRUE(prov.ok()) << prov.status();
  // A self-assessment never ranks, however high.
  EXPECT_EQ(prov->ranked_count(), 3);
  EXPECT_EQ(prov->not_ranked_count(), 2);
  ASSERT_EQ(prov->not_ranked_by_stage_size(), 2);
  EXPECT_EQ(prov->not_ranked_by_stage(0).last_stage(), type::v1::STAGE_UNSPECIFIED);      // 35.78
  EXPECT_EQ(prov->not_ranked_by_stage(1).last_stage(), type::v1::STAGE_SELF_EVALUATION);  // 11.02
  auto ranking = scoring_->rankings.GetRanking({.cycle_id = "2025", .view = v1::RANKING_VIEW_PROVISIONAL}, kAdmin);
  ASSERT_TRUE(ranking.ok()) << ranking.status();
  for (const auto& e : ranking->entries) EXPECT_NE(e.region().code(), "11.02");

  // Final verification open: only 35.72 (past central review) holds
  // publication; the regions that stopped earlier are listed as not evaluated.
  MoveCycleTo(registry::v1::CYCLE_STATE_FINAL_VERIFICATION);
  auto* w = directory_.Cycle("2025").add_windows();
  w->set_phase(registry::v1::CYCLE_PHASE_FINAL_VERIFICATION);
  *w->mutable_close_time() = ToProtoTime(clock_.Now() + absl::Hours(24));
  Score("11.01", type::v1::STAGE_FINAL_VERIFICATION, 90);
  auto held = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_EQ(held.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(held.status().message(), HasSubstr("1 regions await final verification"));
  std::map<std::string, std::string> why;
  for (const auto& v : GetPreconditionViolations(held.status())) why[v.subject] = v.type;
  EXPECT_EQ(why, (std::map<std::string, std::string>{{"35.72", "AWAITING_FINAL_VERIFICATION"},
                                                     {"11.02", "NOT_EVALUATED"},
                                                     {"35.05", "NOT_EVALUATED"},
                                                     {"35.78", "NOT_EVALUATED"}}));
  // Once 35.72 is verified the ministry publishes, the window still open.
  Score("35.72", type::v1::STAGE_FINAL_VERIFICATION, 70);
  auto fin = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->ranked_count(), 2);
  EXPECT_EQ(fin->not_ranked_count(), 3);
  std::map<type::v1::Stage, int> by_stage;
  for (const auto& c : fin->not_ranked_by_stage()) by_stage[c.last_stage()] = c.count();
  EXPECT_EQ(by_stage, (std::map<type::v1::Stage, int>{{type::v1::STAGE_UNSPECIFIED, 1},
                                                      {type::v1::STAGE_SELF_EVALUATION, 1},
                                                      {type::v1::STAGE_PROVINCIAL_VERIFICATION, 1}}));
}

TEST_P(ScoringTest, ARegionWhoseReturnWasNotCompletedIsOutOfTheEvaluation) {
  // 35.72 got to final verification, was returned there and its return was
  // closed as not completed; 11.01 was verified.
  Score("11.01", type::v1::STAGE_FINAL_VERIFICATION, 90);
  Score("35.72", type::v1::STAGE_CENTRAL_REVIEW, 99);
  Score("35.05", type::v1::STAGE_FINAL_VERIFICATION, 60);
  event::v1::EventEnvelope envelope;
  envelope.set_event_id("not-completed-1");
  envelope.set_source("submission");
  submission::v1::SubmissionNotCompleted closed;
  closed.set_cycle_id("2025");
  closed.set_region_code("35.72");
  closed.set_stage(type::v1::STAGE_FINAL_VERIFICATION);
  envelope.mutable_payload()->PackFrom(closed);
  ASSERT_EQ(scoring_->scores.ApplyNotCompleted(envelope, closed).value_or(true), false);
  ASSERT_EQ(scoring_->scores.ApplyNotCompleted(envelope, closed).value_or(false), true)
      << "a repeated event is recognised";
  MoveCycleTo(registry::v1::CYCLE_STATE_FINAL_VERIFICATION);
  auto* w = directory_.Cycle("2025").add_windows();
  w->set_phase(registry::v1::CYCLE_PHASE_FINAL_VERIFICATION);
  *w->mutable_close_time() = ToProtoTime(clock_.Now() + absl::Hours(24));
  // It holds nothing while the window is open, and is not ranked.
  auto fin = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->ranked_count(), 2);
  EXPECT_EQ(fin->not_completed_count(), 1);
  EXPECT_EQ(fin->not_ranked_count(), 3);  // 35.72, and 11.02 and 35.78 that sent nothing
  auto rank =
      scoring_->rankings.GetRegionRank("2025", "35.72", v1::RANKING_VIEW_FINAL, type::v1::STAGE_UNSPECIFIED, kAdmin);
  EXPECT_EQ(rank.status().code(), absl::StatusCode::kNotFound) << "35.72 is not in the final ranking";
}

TEST_P(ScoringTest, ARegionWhoseFieldVisitCouldNotHappenHoldsNothingOnceItsFieldWindowClosed) {
  // 35.72 and 35.78 (760,00 at provincial verification, above the 701,00
  // threshold) wait for a field visit after central review; 35.05 (520,00)
  // goes straight to final verification.
  Score("11.01", type::v1::STAGE_FINAL_VERIFICATION, 95);
  for (const char* region : {"35.72", "35.78"}) {
    Score(region, type::v1::STAGE_PROVINCIAL_VERIFICATION, 70);
    Score(region, type::v1::STAGE_CENTRAL_REVIEW, 70);
  }
  Score("35.05", type::v1::STAGE_PROVINCIAL_VERIFICATION, 40);
  Score("35.05", type::v1::STAGE_CENTRAL_REVIEW, 40);
  MoveCycleTo(registry::v1::CYCLE_STATE_FINAL_VERIFICATION);
  auto add_window = [&](registry::v1::CyclePhase phase, absl::Duration close_in) {
    auto* w = directory_.Cycle("2025").add_windows();
    w->set_phase(phase);
    *w->mutable_close_time() = ToProtoTime(clock_.Now() + close_in);
  };
  add_window(registry::v1::CYCLE_PHASE_FIELD_VERIFICATION, absl::Hours(-1));  // the visits' window closed
  add_window(registry::v1::CYCLE_PHASE_FINAL_VERIFICATION, absl::Hours(24));
  // 35.78 was given more time for its visit; 35.72 was not.
  directory_.closes[{"35.78", registry::v1::CYCLE_PHASE_FIELD_VERIFICATION}] = clock_.Now() + absl::Hours(6);
  auto held = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_EQ(held.status().code(), absl::StatusCode::kFailedPrecondition);
  std::map<std::string, std::string> why;
  for (const auto& v : GetPreconditionViolations(held.status())) why[v.subject] = v.type;
  EXPECT_EQ(why, (std::map<std::string, std::string>{{"35.05", "AWAITING_FINAL_VERIFICATION"},
                                                     {"35.78", "AWAITING_FINAL_VERIFICATION"},
                                                     {"35.72", "NOT_EVALUATED"},
                                                     {"11.02", "NOT_EVALUATED"}}));
  // 35.05 is verified; 35.78's extension runs out without a visit.
  Score("35.05", type::v1::STAGE_FINAL_VERIFICATION, 40);
  clock_.Advance(absl::Hours(7));
  auto fin = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->ranked_count(), 2);
  EXPECT_EQ(fin->not_ranked_count(), 3);
}

TEST_P(ScoringTest, ProvisionalThenFinalWithEmbargoAndAwardEvents) {
  const absl::Time announcement = clock_.Now() + absl::Hours(48);
  *directory_.Cycle("2025").mutable_announcement_time() = ToProtoTime(announcement);
  for (const auto& [region, pct] : std::vector<std::pair<std::string, int>>{
           {"11.01", 95}, {"11.02", 40}, {"35.05", 60}, {"35.72", 70}, {"35.78", 20}}) {
    Score(region, type::v1::STAGE_CENTRAL_REVIEW, pct);
  }
  // Too early for provisional results.
  EXPECT_EQ(scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_PROVISIONAL, kAdmin).status().code(),
            absl::StatusCode::kFailedPrecondition);
  MoveCycleTo(registry::v1::CYCLE_STATE_OBJECTION);
  auto prov = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_PROVISIONAL, kAdmin);
  ASSERT_TRUE(prov.ok()) << prov.status();
  EXPECT_EQ(OutboxRows(), 1);  // ProvisionalResultsPublished
  // Regions now see the provisional ranking; the public still nothing.
  auto seen = scoring_->rankings.GetRanking({.cycle_id = "2025"}, As(Role::kRegionOperator, "35.72"));
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->view, v1::RANKING_VIEW_PROVISIONAL);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);

  // Final verification: one region not yet verified while the window is open.
  MoveCycleTo(registry::v1::CYCLE_STATE_FINAL_VERIFICATION);
  auto* w = directory_.Cycle("2025").add_windows();
  w->set_phase(registry::v1::CYCLE_PHASE_FINAL_VERIFICATION);
  *w->mutable_close_time() = ToProtoTime(clock_.Now() + absl::Hours(1));
  for (const auto& [region, pct] :
       std::vector<std::pair<std::string, int>>{{"11.01", 95}, {"11.02", 40}, {"35.05", 60}, {"35.72", 70}}) {
    Score(region, type::v1::STAGE_FINAL_VERIFICATION, pct);
  }
  auto early = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(GetPreconditionViolations(early.status()).size(), 1u);
  EXPECT_EQ(GetPreconditionViolations(early.status())[0].subject, "35.78");
  clock_.Advance(absl::Hours(2));  // the window closed: 35.78 is out

  // 11.01 p95 = 960,00 KLA; 35.72 p70 = 760,00 Nindya; 35.05 p60 = 680,00
  // Madya; 11.02 p40 = 520,00 Pratama. 35.78 is not ranked.
  auto fin = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->ranked_count(), 4);
  EXPECT_EQ(fin->awarded_count(), 4);
  EXPECT_EQ(fin->embargo_until().seconds(), absl::ToUnixSeconds(announcement));
  EXPECT_EQ(OutboxRows(), 1 + 4 + 1);  // provisional; four awards and the summary
  // Publishing again: the same snapshot, nothing sent again.
  auto again = scoring_->publishing.Publish("2025", v1::PUBLICATION_KIND_FINAL, kAdmin);
  EXPECT_EQ(again->snapshot_id(), fin->snapshot_id());
  EXPECT_EQ(OutboxRows(), 6);

  // The events as notification will receive them.
  auto rows = db_->Execute("SELECT envelope FROM scoring_outbox ORDER BY seq");
  std::vector<std::string> types;
  v1::NationalSummaryPublished summary;
  v1::AwardAnnounced blitar;
  for (const auto& row : rows->rows) {
    event::v1::EventEnvelope env;
    ASSERT_TRUE(env.ParseFromString(row.Text(0)));
    EXPECT_EQ(env.target(), "notification");
    types.push_back(std::string(outbox::TypeNameOf(env)));
    v1::AwardAnnounced award;
    if (env.payload().UnpackTo(&award) && award.result().region().code() == "35.72") blitar = award;
    env.payload().UnpackTo(&summary);
  }
  EXPECT_EQ(types.front(), "kla.scoring.v1.ProvisionalResultsPublished");
  EXPECT_EQ(types.back(), "kla.scoring.v1.NationalSummaryPublished");
  EXPECT_EQ(blitar.result().predicate(), type::v1::PREDICATE_NINDYA);
  EXPECT_EQ(blitar.result().total().hundredths(), 76000);
  EXPECT_EQ(blitar.result().rank(), 2);
  EXPECT_EQ(blitar.embargo_until().seconds(), absl::ToUnixSeconds(announcement));
  EXPECT_EQ(summary.awarded_count(), 4);
  EXPECT_EQ(summary.regency_count(), 5);
  ASSERT_EQ(summary.provila_provinces_size(), 1);  // Aceh; Jawa Timur lacks Kota Surabaya
  EXPECT_EQ(summary.provila_provinces(0).code(), "11");

  // Embargo: before the announcement only national roles see the final results.
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto embargoed = scoring_->rankings.GetRanking({.cycle_id = "2025", .view = v1::RANKING_VIEW_FINAL}, kPublic);
  EXPECT_EQ(embargoed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(embargoed.status().message(), HasSubstr("embargoed until"));
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, As(Role::kRegionOperator, "35.72"))->view,
            v1::RANKING_VIEW_PROVISIONAL);
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kAdmin)->view, v1::RANKING_VIEW_FINAL);
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", {}, false, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(scoring_->publishing.ListPublications("2025", kPublic)->empty());
  EXPECT_EQ(scoring_->rankings.ListPredicateChanges({.cycle_id = "2025"}, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Regional roles and verifiers see the provisional publication, not the
  // embargoed final one (snapshot id and counts would tell the result).
  for (const auto& who : {As(Role::kRegionOperator, "35.72"), As(Role::kProvinceVerifier, "", "35"),
                          As(Role::kOpdContributor, "35.72"), As(Role::kFieldVerifier, "", "32")}) {
    auto listed = scoring_->publishing.ListPublications("2025", who);
    ASSERT_TRUE(listed.ok()) << listed.status();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].kind(), v1::PUBLICATION_KIND_PROVISIONAL);
  }
  EXPECT_EQ(scoring_->publishing.ListPublications("2025", kAdmin)->size(), 2u);
  // A page token naming the final snapshot, presented with a provisional
  // query (as a forged one would be), reads nothing of it: every page is
  // checked against the caller, the token only says where to continue.
  const std::string provisional_fingerprint =
      absl::StrCat(RankingKey{"2025", v1::RANKING_VIEW_PROVISIONAL, type::v1::STAGE_UNSPECIFIED}.Name(), "|");
  const std::string aimed = EncodePageToken(provisional_fingerprint, absl::StrCat(0, "@", fin->snapshot_id()));
  for (const auto& who : {As(Role::kRegionOperator, "35.72"), As(Role::kProvinceVerifier, "", "35")}) {
    auto leak = scoring_->rankings.GetRanking(
        {.cycle_id = "2025", .view = v1::RANKING_VIEW_PROVISIONAL, .page_token = aimed}, who);
    EXPECT_EQ(leak.status().code(), absl::StatusCode::kInvalidArgument) << leak.status();
  }

  clock_.Set(announcement);
  auto pub = scoring_->rankings.GetRanking({.cycle_id = "2025"}, kPublic);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(pub->view, v1::RANKING_VIEW_FINAL);
  EXPECT_EQ(pub->snapshot_id, fin->snapshot_id());
  EXPECT_EQ(pub->entries.size(), 4u);
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", {}, false, kPublic)->total().hundredths(), 76000);
  EXPECT_EQ(scoring_->scores.GetScore("2025", "35.72", type::v1::STAGE_SELF_EVALUATION, false, kPublic).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoring_->publishing.ListPublications("2025", kPublic)->size(), 1u);
  auto history = scoring_->scores.History("35.72", kPublic);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_TRUE((*history)[0].final());
  EXPECT_EQ((*history)[0].national_rank(), 2);
  EXPECT_EQ((*history)[0].predicate(), type::v1::PREDICATE_NINDYA);

  // The table the ministry publishes, and Provila.
  auto sum = scoring_->rankings.GetSummary("2025", {}, {}, kPublic);
  ASSERT_TRUE(sum.ok()) << sum.status();
  std::vector<int> counts;
  for (const auto& c : sum->summary.counts) counts.push_back(c.count());
  EXPECT_THAT(counts, ElementsAre(1, 1, 1, 0, 1, 0));  // Pratama, Madya, Nindya, Utama, KLA, none
  EXPECT_EQ(sum->summary.unranked, 1);
  ASSERT_EQ(sum->summary.provinces.size(), 2u);
  EXPECT_EQ(sum->summary.provinces[1].province().name(), "Jawa Timur");
  EXPECT_EQ(sum->summary.provinces[1].unranked(), 1);
  auto provila = scoring_->rankings.GetProvila("2025", {}, kPublic);
  ASSERT_EQ(provila->provinces.size(), 2u);
  EXPECT_TRUE(provila->provinces[0].complete());
  EXPECT_FALSE(provila->provinces[1].complete());
  ASSERT_EQ(provila->provinces[1].missing_size(), 1);
  EXPECT_EQ(provila->provinces[1].missing(0).name(), "Kota Surabaya");

  // What changed since 2023 (imported; 11.02 held no predicate then).
  EXPECT_TRUE(scoring_->rankings.ListPredicateChanges({.cycle_id = "2025"}, kPublic)->previous_cycle_id.empty());
  ASSERT_TRUE(
      scoring_->publishing.ImportPastResults("2023,11.01,kla\n2023,35.72,utama\n2023,35.05,madya\n", false, kAdmin)
          .ok());
  auto changes = scoring_->rankings.ListPredicateChanges({.cycle_id = "2025", .page_size = 1}, kPublic);
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(changes->previous_cycle_id, "2023");
  EXPECT_EQ(changes->up_count, 1);
  EXPECT_EQ(changes->down_count, 1);
  ASSERT_EQ(changes->changes.size(), 1u);
  EXPECT_EQ(changes->changes[0].region().code(), "11.02");
  EXPECT_EQ(changes->changes[0].previous_predicate(), type::v1::PREDICATE_NONE);
  EXPECT_EQ(changes->changes[0].predicate(), type::v1::PREDICATE_PRATAMA);
  auto down = scoring_->rankings.ListPredicateChanges(
      {.cycle_id = "2025", .page_size = 1, .page_token = changes->next_page_token}, kPublic);
  ASSERT_TRUE(down.ok()) << down.status();
  ASSERT_EQ(down->changes.size(), 1u);
  EXPECT_EQ(down->changes[0].region().code(), "35.72");
  EXPECT_EQ(down->changes[0].previous_predicate(), type::v1::PREDICATE_UTAMA);
  EXPECT_EQ(down->changes[0].rank(), 2);
  EXPECT_TRUE(down->next_page_token.empty());
  EXPECT_EQ(scoring_->rankings.ListPredicateChanges({.cycle_id = "2025", .previous_cycle_id = "2025"}, kPublic)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(scoring_->rankings.ListPredicateChanges({.cycle_id = "2025", .previous_cycle_id = "2019"}, kPublic)
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  // Frozen: a late event changes the live ranking, never the final one; and
  // no recompute.
  Score("35.78", type::v1::STAGE_FINAL_VERIFICATION, 100);
  ASSERT_TRUE(book_->RefreshStale().ok());
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kPublic)->entries.size(), 4u);
  EXPECT_EQ(scoring_->jobs.Recompute("2025", "r1", kAdmin).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(ScoringTest, RecomputeAfterARulebookCorrectionIsAJobWithProgress) {
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 50);  // 600,00 Pratama
  Score("35.78", type::v1::STAGE_SELF_EVALUATION, 100);
  ASSERT_TRUE(book_->RefreshStale().ok());
  // The corrected rulebook: 1.1's options earn half as much.
  directory_.AddRulebook(fakes::PercentRulebook("uji-2", 50));
  directory_.Cycle("2025").set_rulebook_version("uji-2");
  auto job = scoring_->jobs.Recompute("2025", "req-1", kAdmin);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(scoring_->jobs.Recompute("2025", "req-1", kAdmin)->job_id(), job->job_id());  // a retry
  ASSERT_EQ(*scoring_->jobs.RunPendingJobs(), 1);
  auto done = scoring_->jobs.GetJob(job->job_id());
  EXPECT_EQ(done->state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(done->total(), 2);
  EXPECT_EQ(done->done(), 2);
  EXPECT_EQ(done->changed(), 2);
  EXPECT_EQ(Total("35.72"), 40000);  // 80 % x 25 % + 20 % = 40 %
  auto s = scoring_->scores.GetScore("2025", "35.72", {}, false, kAdmin);
  EXPECT_EQ(s->rulebook_version(), "uji-2");
  EXPECT_EQ(s->run_id(), absl::StrCat("job:", job->job_id()));
  ASSERT_EQ(*book_->RefreshStale(), 1);  // rankings follow
  EXPECT_EQ(scoring_->rankings.GetRanking({.cycle_id = "2025"}, kAdmin)->entries[1].total().hundredths(), 40000);
  EXPECT_EQ(*scoring_->jobs.RunPendingJobs(), 0);
  EXPECT_EQ(scoring_->jobs.GetJob("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(ScoringTest, PastResultsGiveTheWholeHistory) {
  // Kota Blitar: Madya in 2021, Nindya in 2023 (before kla), then 2025 in kla.
  const std::string csv =
      "cycle_id,region_code,predicate,total\n2021,35.72,madya,\n2023,35.72,Nindya,\"742,50\"\n2023,35.78,utama,895."
      "00\n";
  auto checked = scoring_->publishing.ImportPastResults(csv, /*validate_only=*/true, kAdmin);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->imported, 3);
  EXPECT_TRUE(scoring_->scores.History("35.72", kPublic)->empty());  // nothing stored
  ASSERT_TRUE(scoring_->publishing.ImportPastResults(csv, false, kAdmin).ok());
  ASSERT_TRUE(scoring_->publishing.ImportPastResults(csv, false, kAdmin).ok());  // again: replaced, not doubled
  auto h = scoring_->scores.History("35.72", kPublic);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].cycle_id(), "2021");
  EXPECT_EQ((*h)[0].predicate(), type::v1::PREDICATE_MADYA);
  EXPECT_FALSE((*h)[0].has_total());
  EXPECT_TRUE((*h)[0].imported());
  EXPECT_EQ((*h)[1].total().hundredths(), 74250);
  // The region's own 2025 score joins them for the region (not yet public).
  Score("35.72", type::v1::STAGE_SELF_EVALUATION, 70);
  auto own = scoring_->scores.History("35.72", As(Role::kRegionOperator, "35.72"));
  ASSERT_EQ(own->size(), 3u);
  EXPECT_EQ((*own)[2].cycle_id(), "2025");
  EXPECT_FALSE((*own)[2].final());

  // Every bad line is named; nothing is stored.
  auto bad = scoring_->publishing.ImportPastResults(
      "2019,35.99,madya\n2019,35.72,emas\n2019,35.72,madya,1200\n2025,35.72,madya\n", false, kAdmin);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : GetFieldViolations(bad.status())) fields.push_back(v.field);
  EXPECT_THAT(fields, ElementsAre("line 1", "line 2", "line 3", "csv"));  // 2025 is run in kla
  EXPECT_EQ(scoring_->publishing.ImportPastResults("", false, kAdmin).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, ScoringTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::scoring
