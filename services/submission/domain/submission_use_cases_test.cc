// SubmissionUseCases on both SQL engines, with a fake registry and an
// injected clock: saves, etags, request ids, submit, returns, verification,
// windows and extensions, field verification threshold, audit, events.

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"
#include "libs/kernel/etag.h"
#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "services/submission/domain/submissions.h"
#include "services/submission/storage/local_blob_store.h"
#include "services/submission/storage/migrations.h"
#include "services/submission/storage/sql_submission_store.h"

namespace kla::submission {
namespace {

using ::testing::ElementsAre;
using testing::Engine;
using ::testing::HasSubstr;
using type::v1::Stage;

constexpr char kRulebook[] = R"pb(
  version: "uji-1"
  clusters {
    cluster: CLUSTER_KELEMBAGAAN
    max_points { hundredths: 100000 }
  }
  indicators {
    number: 1
    cluster: CLUSTER_KELEMBAGAAN
    max_points { hundredths: 60000 }
    items { id: "I01.1" type: ITEM_TYPE_BOOLEAN weight: 50 evidence_required: true }
    items {
      id: "I01.2"
      type: ITEM_TYPE_CHOICE
      weight: 50
      options { id: "a" share_percent: 100 }
      options { id: "b" share_percent: 50 }
      options { id: "c" share_percent: 0 }
    }
  }
  indicators {
    number: 2
    cluster: CLUSTER_KELEMBAGAAN
    max_points { hundredths: 40000 }
    items {
      id: "I02.1"
      type: ITEM_TYPE_PERCENT
      weight: 60
      steps { min_hundredths: 5000 share_percent: 50 }
      steps { min_hundredths: 9000 share_percent: 100 }
    }
    items {
      id: "I02.2"
      type: ITEM_TYPE_COUNT
      weight: 40
      steps { min_hundredths: 100 share_percent: 50 }
      steps { min_hundredths: 500 share_percent: 100 }
    }
    items { id: "I02.3" type: ITEM_TYPE_TEXT weight: 0 }
  }
  bands {
    predicate: PREDICATE_PRATAMA
    min_score { hundredths: 50000 }
  }
  bands {
    predicate: PREDICATE_MADYA
    min_score { hundredths: 60100 }
  }
  bands {
    predicate: PREDICATE_NINDYA
    min_score { hundredths: 70100 }
  }
  field_verification_threshold { hundredths: 70100 }
)pb";

class FakeDirectory final : public EvaluationDirectory {
 public:
  explicit FakeDirectory(const Clock* clock) {
    registry::v1::Rulebook rb;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kRulebook, &rb));
    rulebook_ = std::make_shared<RulebookIndex>(rb);
    for (int p = registry::v1::CYCLE_PHASE_SELF_EVALUATION; p <= registry::v1::CYCLE_PHASE_FINAL_VERIFICATION; ++p) {
      windows_[static_cast<registry::v1::CyclePhase>(p)] = {clock->Now() - absl::Hours(24),
                                                            clock->Now() + absl::Hours(24 * 30)};
    }
  }
  absl::StatusOr<registry::v1::Cycle> GetCycle(const std::string& id) override {
    if (id != "2025") return NotFound("cycle", id);
    registry::v1::Cycle c;
    c.set_id(id);
    c.set_rulebook_version("uji-1");
    return c;
  }
  absl::StatusOr<std::shared_ptr<const RulebookIndex>> GetRulebook(const std::string&) override { return rulebook_; }
  absl::StatusOr<Window> GetWindow(const std::string&, const std::string& region, registry::v1::CyclePhase phase,
                                   bool /*fresh*/) override {
    Window w = windows_.at(phase);
    if (auto it = extensions_.find({region, phase}); it != extensions_.end()) {
      w.close = it->second;
      w.extended = true;
    }
    return w;
  }
  absl::Status CheckRegency(const std::string& code) override {
    return code == "35.72" || code == "35.05" || more_regions_.contains(code) ? absl::OkStatus()
                                                                              : NotFound("region", code);
  }

  std::set<std::string> more_regions_;

  std::map<registry::v1::CyclePhase, Window> windows_;
  std::map<std::pair<std::string, registry::v1::CyclePhase>, absl::Time> extensions_;

 private:
  std::shared_ptr<const RulebookIndex> rulebook_;
};

v1::Answer A(const std::string& item, const std::string& text_value) {
  v1::Answer a;
  a.set_item_id(item);
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text_value, a.mutable_value())) << text_value;
  return a;
}

// Every item answered; a high scorer (1000 points) unless told otherwise.
std::vector<v1::Answer> FullAnswers(const std::string& choice = "a", int64_t percent = 9500) {
  return {A("I01.1", "boolean: true"), A("I01.2", "choice: \"" + choice + "\""),
          A("I02.1", "percent_hundredths: " + std::to_string(percent)), A("I02.2", "count: 12"),
          A("I02.3", "text: \"Perwali 12/2024\"")};
}

class SubmissionsTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto db = testing::NewTestDatabase(GetParam(), dir_, "submission");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "submission", SubmissionMigrations()).ok());
    store_ = std::make_unique<SqlSubmissionStore>(db_.get(), &outbox_, &clock_, nullptr);
    blobs_ = std::make_unique<LocalBlobStore>(dir_.path() + "/evidence");
    ASSERT_TRUE(blobs_->Init().ok());
    manager_ = std::make_unique<SubmissionUseCases>(store_.get(), &directory_, blobs_.get(), ThresholdGate(), &clock_,
                                                   EvidenceLimits{.max_evidence_bytes = 1 << 20});
  }

  absl::StatusOr<v1::Submission> Save(const std::string& request_id, const std::string& etag,
                                      std::vector<v1::Answer> answers, const auth::Principal& who,
                                      const std::string& region = "35.72") {
    return manager_->answers.Save({.request_id = request_id,
                                  .cycle_id = "2025",
                                  .region_code = region,
                                  .etag = etag,
                                  .answers = std::move(answers)},
                                 who);
  }
  absl::StatusOr<v1::Submission> Submit(const std::string& request_id, const std::string& etag) {
    return manager_->review.Submit({.request_id = request_id, .cycle_id = "2025", .region_code = "35.72", .etag = etag}, op_);
  }
  absl::StatusOr<VerifyOutcome> Verify(const std::string& request_id, const std::string& etag,
                                       const auth::Principal& who, std::vector<v1::Adjustment> adjustments = {}) {
    return manager_->review.Verify({.request_id = request_id,
                             .cycle_id = "2025",
                             .region_code = "35.72",
                             .etag = etag,
                             .adjustments = std::move(adjustments)},
                            who);
  }
  // Returns the submitted `etag` for item I02.2, due in `hours`.
  absl::StatusOr<v1::Submission> ReturnFor(const std::string& etag, int hours) {
    v1::ItemReturn item;
    item.set_item_id("I02.2");
    item.set_reason("Lampirkan daftar kecamatan layak anak");
    return manager_->review.Return({.request_id = "r1",
                             .cycle_id = "2025",
                             .region_code = "35.72",
                             .etag = etag,
                             .returns = {item},
                             .deadline = clock_.Now() + absl::Hours(hours)},
                            prov_);
  }
  // Uploads `content` for `item` in one chunk.
  absl::StatusOr<UploadProgress> Upload(const std::string& upload_id, const std::string& item,
                                        const std::string& content) {
    v1::UploadHeader h = Header(upload_id, item, content);
    auto begun = manager_->evidence.BeginUpload(h, op_);
    if (!begun.ok()) return begun.status();
    return manager_->evidence.AppendChunk(h, content, op_);
  }
  static v1::UploadHeader Header(const std::string& upload_id, const std::string& item, const std::string& content) {
    v1::UploadHeader h;
    h.set_upload_id(upload_id);
    h.set_cycle_id("2025");
    h.set_region_code("35.72");
    h.set_item_id(item);
    h.set_file_name("SK Gugus Tugas KLA 2024.pdf");
    h.set_media_type("application/pdf");
    h.set_size_bytes(static_cast<int64_t>(content.size()));
    h.set_sha256(Sha256(content));
    return h;
  }
  static std::string Sha256(const std::string& content) {
    testing::TempDir tmp;
    const std::string path = tmp.path() + "/f";
    std::ofstream(path, std::ios::binary) << content;
    return *FileSha256(path);
  }

  // Saves everything, attaches the required evidence and submits; returns the etag.
  std::string Submitted(const std::string& choice = "a") {
    EXPECT_TRUE(Upload("sk-" + choice, "I01.1", "%PDF-1.4 SK " + choice).ok());
    auto saved = Save("fill", "", FullAnswers(choice), op_);
    EXPECT_TRUE(saved.ok()) << saved.status();
    auto sent = Submit("send", saved->etag());
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent->etag();
  }
  int64_t Outgoing(const std::string& target) {
    auto r = db_->Execute("SELECT COUNT(*) FROM submission_outbox WHERE target = ?", {target});
    return r.ok() ? r->rows[0].Int(0) : -1;
  }

  static auth::Principal Who(auth::Role role, const std::string& name) {
    auth::Principal p;
    p.role = role;
    p.subject = name;
    return p;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  FakeDirectory directory_{&clock_};
  outbox::Outbox outbox_{"submission", &clock_};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlSubmissionStore> store_;
  std::unique_ptr<LocalBlobStore> blobs_;
  std::unique_ptr<SubmissionUseCases> manager_;
  auth::Principal op_ = Who(auth::Role::kRegionOperator, "op.kota-blitar");
  auth::Principal opd_ = Who(auth::Role::kOpdContributor, "opd.dinkes");
  auth::Principal prov_ = Who(auth::Role::kProvinceVerifier, "verif.jatim");
  auth::Principal central_ = Who(auth::Role::kCentralReviewer, "reviewer");
  auth::Principal field_ = Who(auth::Role::kFieldVerifier, "field");
};

TEST_P(SubmissionsTest, EveryBadAnswerIsNamedWithItsItem) {
  auto r = Save("bad", "",
                {A("I09.9", "boolean: true"), A("I01.1", "count: 1"), A("I02.1", "percent_hundredths: 14000"),
                 A("I02.2", "count: -3"), A("I01.2", "choice: \"z\"")},
                op_);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const auto v = GetFieldViolations(r.status());
  ASSERT_EQ(v.size(), 5U);
  EXPECT_EQ(v[0].field, "answers[0].item_id");
  EXPECT_EQ(v[1].field, "answers[1].value");
  EXPECT_THAT(v[1].description, HasSubstr("item I01.1 takes a boolean value"));
  EXPECT_THAT(v[2].description, HasSubstr("a percentage is 0 to 100, not 140.00"));
  EXPECT_THAT(v[3].description, HasSubstr("item I02.2: a count is 0 or more, not -3"));
  EXPECT_THAT(v[4].description, HasSubstr("choice \"z\" is not one of its options (a, b, c)"));
  EXPECT_EQ(manager_->answers.Get("2025", "35.72", op_)->etag(), "");  // nothing saved
}

TEST_P(SubmissionsTest, ContributorsNeverOverwriteEachOtherSilently) {
  auto first = Save("opd-1", "", {A("I01.1", "boolean: true")}, opd_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->etag(), "s1");
  EXPECT_EQ(first->progress().answered(), 1);
  EXPECT_EQ(first->progress().required(), 5);
  EXPECT_TRUE(first->allowed().may_edit());
  // Another contributor started from the empty submission: refused.
  auto stale = Save("op-1", "", {A("I01.1", "boolean: false")}, op_);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  auto second = Save("op-2", "s1", {A("I02.2", "count: 7")}, op_);
  ASSERT_TRUE(second.ok()) << second.status();
  auto late = Save("opd-2", "s1", {A("I01.1", "boolean: false")}, opd_);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  auto now = manager_->answers.Get("2025", "35.72", op_);
  ASSERT_EQ(now->answers_size(), 2);
  EXPECT_TRUE(now->answers(0).value().boolean());  // nothing lost, nothing overwritten
  EXPECT_EQ(now->answers(0).answered_by(), "opd.dinkes");
  EXPECT_EQ(now->answers(1).answered_by(), "op.kota-blitar");
}

TEST_P(SubmissionsTest, ConcurrentContributorsRetryOnStaleEtagsAndLoseNothing) {
  // Five OPDs answer their own item at the same time, each reading the
  // etag, saving, and on ABORTED reading again: every answer lands once.
  const std::vector<v1::Answer> all = FullAnswers();
  std::atomic<int> aborted{0};
  std::vector<std::thread> opds;
  for (size_t i = 0; i < all.size(); ++i) {
    opds.emplace_back([&, i] {
      auth::Principal opd = Who(auth::Role::kOpdContributor, "opd-" + std::to_string(i));
      for (int attempt = 0; attempt < 200; ++attempt) {
        auto current = manager_->answers.Get("2025", "35.72", opd);
        ASSERT_TRUE(current.ok()) << current.status();
        auto saved = Save(absl::StrCat("opd-", i, "-", attempt), current->etag(), {all[i]}, opd);
        if (saved.ok()) return;
        ASSERT_EQ(saved.status().code(), absl::StatusCode::kAborted) << saved.status();
        ++aborted;
      }
      ADD_FAILURE() << "opd-" << i << " never got its turn";
    });
  }
  for (auto& t : opds) t.join();
  auto final = manager_->answers.Get("2025", "35.72", op_);
  ASSERT_TRUE(final.ok());
  EXPECT_EQ(final->answers_size(), static_cast<int>(all.size()));
  EXPECT_EQ(final->etag(),
            FormatEtag(kSubmissionEtag, static_cast<int64_t>(all.size())));  // one version per successful save
  auto trail = manager_->answers.Audit("2025", "35.72", "", 100, "");
  ASSERT_TRUE(trail.ok());
  EXPECT_EQ(trail->entries.size(), all.size());  // one ANSWER_SAVED each; refused saves left no trace
}

TEST_P(SubmissionsTest, ARetriedSaveIsAppliedOnce) {
  auto first = Save("req-1", "", {A("I01.1", "boolean: true"), A("I02.2", "count: 3")}, op_);
  ASSERT_TRUE(first.ok());
  auto again = Save("req-1", "", {A("I01.1", "boolean: true"), A("I02.2", "count: 3")}, op_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->etag(), first->etag());
  auto audit = manager_->answers.Audit("2025", "35.72", "", 0, "");
  EXPECT_EQ(audit->entries.size(), 2U);  // one per item, once
  auto reused = Save("req-1", "s1", {A("I01.1", "boolean: false")}, op_);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(reused.status())[0].field, "request_id");
}

TEST_P(SubmissionsTest, SubmitListsEverythingMissingThenLocksTheAnswers) {
  auto saved = Save("part", "", {A("I01.1", "boolean: true"), A("I02.1", "percent_hundredths: 9000")}, op_);
  auto refused = Submit("send-1", saved->etag());
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  std::vector<std::string> missing;
  for (const auto& v : GetPreconditionViolations(refused.status())) missing.push_back(v.subject);
  EXPECT_THAT(missing, ElementsAre("I01.2", "I02.2", "I02.3", "I01.1"));  // answers, then evidence
  EXPECT_EQ(GetPreconditionViolations(refused.status())[3].type, "MISSING_EVIDENCE");
  EXPECT_THAT(saved->progress().missing_items(), ElementsAre("I01.2", "I02.2", "I02.3"));
  EXPECT_THAT(saved->progress().missing_evidence(), ElementsAre("I01.1"));
  ASSERT_TRUE(Upload("sk", "I01.1", "%PDF-1.4 Surat Keputusan").ok());
  // Contributors fill in, the operator submits.
  EXPECT_EQ(Submit("send-x", saved->etag()).status().code(), absl::StatusCode::kFailedPrecondition);
  auto full = Save("rest", saved->etag(), FullAnswers(), opd_);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_FALSE(full->allowed().may_submit());  // contributors do not submit
  EXPECT_EQ(
      manager_->review
          .Submit({.request_id = "opd-send", .cycle_id = "2025", .region_code = "35.72", .etag = full->etag()}, opd_)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  auto sent = Submit("send-2", full->etag());
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->state(), v1::SUBMISSION_STATE_AWAITING_VERIFICATION);
  EXPECT_EQ(sent->stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  EXPECT_FALSE(sent->allowed().may_edit());
  EXPECT_EQ(Save("after", sent->etag(), {A("I01.1", "boolean: false")}, op_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto self = manager_->answers.StageAnswersOf("2025", "35.72", type::v1::STAGE_SELF_EVALUATION);
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->answers_size(), 5);
  EXPECT_EQ(self->revision(), 1);
  EXPECT_EQ(Outgoing("scoring"), 1);       // the self-evaluation's answers, to be scored
  EXPECT_EQ(Outgoing("notification"), 1);  // submitted
  // The province's verifier sees it can act.
  auto seen = manager_->answers.Get("2025", "35.72", prov_);
  EXPECT_TRUE(seen->allowed().may_verify());
  EXPECT_TRUE(seen->allowed().may_return());
}

TEST_P(SubmissionsTest, LateWritesNameTheDeadlineAndExtensionsMoveIt) {
  const absl::Time close = clock_.Now() + absl::Hours(24 * 30);
  clock_.Advance(absl::Hours(24 * 31));
  auto late = Save("late", "", {A("I01.1", "boolean: true")}, op_);
  ASSERT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      late.status().message(),
      HasSubstr("deadline passed at " + absl::FormatTime("%Y-%m-%d %H:%M WIB", close, absl::FixedTimeZone(7 * 3600))));
  directory_.extensions_[{"35.72", registry::v1::CYCLE_PHASE_SELF_EVALUATION}] = clock_.Now() + absl::Hours(48);
  EXPECT_TRUE(Save("late", "", {A("I01.1", "boolean: true")}, op_).ok());  // "tambahan 2x24 jam"
  EXPECT_EQ(Save("other", "", {A("I01.1", "boolean: true")}, op_, "35.05").status().code(),
            absl::StatusCode::kFailedPrecondition);  // only Kota Blitar was extended
}

TEST_P(SubmissionsTest, ReturnResubmitAndVerifyKeepTheRegionsAnswerAndTheAdjustment) {
  std::string etag = Submitted();
  v1::ItemReturn item;
  item.set_item_id("I02.2");
  item.set_reason("Lampirkan daftar kecamatan layak anak");
  auto no_reason = manager_->review.Return({.request_id = "r0",
                                     .cycle_id = "2025",
                                     .region_code = "35.72",
                                     .etag = etag,
                                     .returns = {v1::ItemReturn()},
                                     .deadline = clock_.Now() - absl::Hours(1)},
                                    prov_);
  ASSERT_EQ(no_reason.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(no_reason.status()).size(), 3U);  // item, reason, deadline
  auto returned = manager_->review.Return({.request_id = "r1",
                                    .cycle_id = "2025",
                                    .region_code = "35.72",
                                    .etag = etag,
                                    .returns = {item},
                                    .deadline = clock_.Now() + absl::Hours(48)},
                                   prov_);
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(returned->state(), v1::SUBMISSION_STATE_RETURNED);
  EXPECT_EQ(returned->open_return().items(0).reason(), "Lampirkan daftar kecamatan layak anak");
  EXPECT_TRUE(manager_->answers.Get("2025", "35.72", op_)->allowed().may_edit());
  auto fixed = Save("fix", returned->etag(), {A("I02.2", "count: 20")}, op_);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  auto again = Submit("resend", fixed->etag());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  EXPECT_EQ(manager_->answers.StageAnswersOf("2025", "35.72", type::v1::STAGE_SELF_EVALUATION)->revision(), 2);

  v1::Adjustment adj;
  adj.set_item_id("I01.2");
  *adj.mutable_value() = A("I01.2", "choice: \"b\"").value();
  EXPECT_EQ(Verify("v0", again->etag(), prov_, {adj}).status().code(), absl::StatusCode::kInvalidArgument);  // reason
  adj.set_reason("SK belum ditandatangani");
  EXPECT_EQ(Verify("v-op", again->etag(), op_).status().code(), absl::StatusCode::kPermissionDenied);
  auto verified = Verify("v1", again->etag(), prov_, {adj});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->submission.stage(), type::v1::STAGE_CENTRAL_REVIEW);
  EXPECT_EQ(verified->completed.stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  EXPECT_EQ(verified->completed.answers(1).value().choice(), "b");
  EXPECT_EQ(verified->submission.answers(1).value().choice(), "a");  // the region's answer stays
  EXPECT_EQ(verified->submission.adjustments(0).adjusted_by(), "verif.jatim");
  // The same verification retried: same result, applied once.
  auto retried = Verify("v1", again->etag(), prov_, {adj});
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->submission.etag(), verified->submission.etag());
  EXPECT_EQ(retried->completed.revision(), 1);

  auto trail = manager_->answers.Audit("2025", "35.72", "I01.2", 0, "");
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->entries.size(), 2U);
  EXPECT_EQ(trail->entries[1].action(), v1::AUDIT_ACTION_ADJUSTED);
  EXPECT_EQ(trail->entries[1].before().choice(), "a");
  EXPECT_EQ(trail->entries[1].after().choice(), "b");
  EXPECT_EQ(trail->entries[1].detail(), "SK belum ditandatangani");
}

TEST_P(SubmissionsTest, AReturnWhoseDeadlinePassedGetsANewOneFromItsVerifier) {
  auto returned = ReturnFor(Submitted(), 24);
  ASSERT_TRUE(returned.ok()) << returned.status();
  clock_.Advance(absl::Hours(25));
  // The region is told who can help, by an action that exists.
  auto late = Save("late", returned->etag(), {A("I02.2", "count: 20")}, op_);
  ASSERT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(), HasSubstr("ExtendReturnDeadline"));
  auto extend = [&](const std::string& id, const auth::Principal& who, absl::Time deadline, std::string reason) {
    return manager_->review.ExtendReturn({.request_id = id,
                                   .cycle_id = "2025",
                                   .region_code = "35.72",
                                   .etag = returned->etag(),
                                   .deadline = deadline,
                                   .reason = std::move(reason)},
                                  who);
  };
  const absl::Time two_days = clock_.Now() + absl::Hours(48);
  EXPECT_EQ(extend("x-op", op_, two_days, "saya butuh waktu").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(extend("x-noreason", prov_, two_days, " ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(extend("x-past", prov_, clock_.Now() - absl::Hours(1), "tambahan").status().code(),
            absl::StatusCode::kInvalidArgument);
  const int64_t events_before = Outgoing("notification");
  auto extended = extend("x-1", prov_, two_days, "Tambahan 2x24 jam untuk mengunggah SK");
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->state(), v1::SUBMISSION_STATE_RETURNED);
  EXPECT_EQ(extended->open_return().deadline().seconds(), absl::ToUnixSeconds(two_days));
  EXPECT_EQ(extended->open_return().items(0).reason(), "Lampirkan daftar kecamatan layak anak");
  EXPECT_EQ(Outgoing("notification"), events_before + 1) << "the region is told, as of the return";
  // A retry is applied once.
  EXPECT_EQ(extend("x-1", prov_, two_days, "Tambahan 2x24 jam untuk mengunggah SK")->etag(), extended->etag());
  EXPECT_EQ(Outgoing("notification"), events_before + 1);
  // The region corrects and resubmits within the new deadline.
  auto fixed = Save("fix", extended->etag(), {A("I02.2", "count: 20")}, op_);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  auto again = Submit("resend", fixed->etag());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->state(), v1::SUBMISSION_STATE_AWAITING_VERIFICATION);
  // Only an open return can be extended.
  EXPECT_EQ(manager_->review
                .ExtendReturn({.request_id = "x-2",
                                .cycle_id = "2025",
                                .region_code = "35.72",
                                .etag = again->etag(),
                                .deadline = clock_.Now() + absl::Hours(24),
                                .reason = "lagi"},
                               prov_)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  auto trail = manager_->answers.Audit("2025", "35.72", "", 0, "");
  ASSERT_TRUE(trail.ok());
  bool recorded = false;
  for (const auto& e : trail->entries) {
    if (e.action() == v1::AUDIT_ACTION_RETURN_DEADLINE_CHANGED) {
      recorded = true;
      EXPECT_EQ(e.actor(), "verif.jatim");
      EXPECT_THAT(e.detail(), HasSubstr("Tambahan 2x24 jam"));
    }
  }
  EXPECT_TRUE(recorded);
}

TEST_P(SubmissionsTest, AReturnTheRegionDidNotAnswerIsVerifiedAsItStands) {
  auto returned = ReturnFor(Submitted(), 24);
  ASSERT_TRUE(returned.ok()) << returned.status();
  clock_.Advance(absl::Hours(25));
  EXPECT_TRUE(manager_->answers.Get("2025", "35.72", prov_)->allowed().may_verify());
  EXPECT_EQ(Verify("v-op", returned->etag(), op_).status().code(), absl::StatusCode::kPermissionDenied);
  auto verified = Verify("v1", returned->etag(), prov_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->submission.state(), v1::SUBMISSION_STATE_AWAITING_VERIFICATION);
  EXPECT_EQ(verified->submission.stage(), type::v1::STAGE_CENTRAL_REVIEW);
  EXPECT_FALSE(verified->submission.has_open_return());
  EXPECT_EQ(verified->completed.stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  auto trail = manager_->answers.Audit("2025", "35.72", "", 0, "");
  ASSERT_TRUE(trail.ok());
  EXPECT_THAT(trail->entries.back().detail(), HasSubstr("verified as it stands"));
}

TEST_P(SubmissionsTest, AReturnTheRegionDidNotAnswerCanBeClosedAsNotCompleted) {
  auto returned = ReturnFor(Submitted(), 24);
  ASSERT_TRUE(returned.ok()) << returned.status();
  clock_.Advance(absl::Hours(25));
  EXPECT_TRUE(manager_->answers.Get("2025", "35.72", prov_)->allowed().may_mark_not_completed());
  EXPECT_FALSE(manager_->answers.Get("2025", "35.72", op_)->allowed().may_mark_not_completed());
  auto close = [&](const std::string& id, const auth::Principal& who, const std::string& etag, std::string reason) {
    return manager_->review.MarkNotCompleted(
        {.request_id = id, .cycle_id = "2025", .region_code = "35.72", .etag = etag, .reason = std::move(reason)}, who);
  };
  EXPECT_EQ(close("n-op", op_, returned->etag(), "tidak").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(close("n-central", central_, returned->etag(), "tidak").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(close("n-blank", prov_, returned->etag(), "  ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(close("n-stale", prov_, "s1", "tidak").status().code(), absl::StatusCode::kAborted);
  const int64_t to_scoring = Outgoing("scoring");
  const int64_t to_notification = Outgoing("notification");
  auto closed = close("n-1", prov_, returned->etag(), "SK tidak diunggah sampai batas waktu");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), v1::SUBMISSION_STATE_NOT_COMPLETED);
  EXPECT_EQ(closed->stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);
  EXPECT_FALSE(closed->has_open_return());
  EXPECT_EQ(Outgoing("scoring"), to_scoring + 1) << "scoring stops ranking the region";
  EXPECT_EQ(Outgoing("notification"), to_notification + 1) << "the region is told";
  // A retry answers the first result and sends nothing again.
  EXPECT_EQ(close("n-1", prov_, returned->etag(), "SK tidak diunggah sampai batas waktu")->etag(), closed->etag());
  EXPECT_EQ(Outgoing("scoring"), to_scoring + 1);
  // Nothing leads out of it, for anyone.
  const auto& allowed = manager_->answers.Get("2025", "35.72", prov_)->allowed();
  EXPECT_FALSE(allowed.may_verify() || allowed.may_return() || allowed.may_extend_return() ||
               allowed.may_mark_not_completed());
  EXPECT_EQ(Verify("v-after", closed->etag(), prov_).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Save("s-after", closed->etag(), {A("I02.2", "count: 20")}, op_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto trail = manager_->answers.Audit("2025", "35.72", "", 0, "");
  ASSERT_TRUE(trail.ok());
  EXPECT_EQ(trail->entries.back().action(), v1::AUDIT_ACTION_RETURN_NOT_COMPLETED);
  EXPECT_EQ(trail->entries.back().detail(), "SK tidak diunggah sampai batas waktu");
}

TEST_P(SubmissionsTest, FieldVerificationOnlyAboveTheThreshold) {
  // 1000 points: field verification after the central review, then final.
  std::string etag = Submitted("a");
  auto p = Verify("p", etag, prov_);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(Verify("c-prov", p->submission.etag(), prov_).ok());  // not the province's stage any more
  auto c = Verify("c", p->submission.etag(), central_);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->submission.stage(), type::v1::STAGE_FIELD_VERIFICATION);
  auto f = Verify("f", c->submission.etag(), field_);
  ASSERT_TRUE(f.ok()) << f.status();
  auto fin = Verify("fin", f->submission.etag(), central_);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->submission.state(), v1::SUBMISSION_STATE_FINAL);
  EXPECT_EQ(Outgoing("scoring"), 5);  // self, provincial, central, field, final
}

TEST_P(SubmissionsTest, BelowTheThresholdGoesStraightToFinalVerification) {
  // Indicator 1 earns 300 points (choice c: 0 %), indicator 2 400: 700,00 < 701,00.
  std::string etag = Submitted("c");
  auto p = Verify("p", etag, prov_);
  ASSERT_TRUE(p.ok()) << p.status();
  auto c = Verify("c", p->submission.etag(), central_);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->submission.stage(), type::v1::STAGE_FINAL_VERIFICATION);
}

TEST_P(SubmissionsTest, AnUploadDroppedHalfwayResumesAndIdenticalFilesAreStoredOnce) {
  std::string content;
  for (int i = 0; i < 300 * 1024; ++i) content += static_cast<char>('A' + i % 23);
  const v1::UploadHeader h = Header("up-1", "I01.1", content);
  auto begun = manager_->evidence.BeginUpload(h, op_);
  ASSERT_TRUE(begun.ok()) << begun.status();
  EXPECT_EQ(begun->received, 0);
  ASSERT_EQ(manager_->evidence.AppendChunk(h, content.substr(0, 100 * 1024), op_)->received, 100 * 1024);
  // The connection drops. The server says where to resume; a restart from 0 is refused.
  EXPECT_EQ(manager_->evidence.UploadStatus("up-1", "35.72")->received, 100 * 1024);
  auto wrong = manager_->evidence.BeginUpload(h, op_);
  ASSERT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr("resume from offset 102400"));
  v1::UploadHeader resume = h;
  resume.set_offset(100 * 1024);
  ASSERT_TRUE(manager_->evidence.BeginUpload(resume, op_).ok());
  auto done = manager_->evidence.AppendChunk(resume, content.substr(100 * 1024), op_);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_TRUE(done->evidence.has_value());
  EXPECT_EQ(done->evidence->sha256(), h.sha256());
  EXPECT_EQ(done->evidence->uploaded_by(), "op.kota-blitar");
  // The same upload again (a retry after a lost answer): the same evidence.
  EXPECT_EQ(manager_->evidence.BeginUpload(h, op_)->evidence->evidence_id(), done->evidence->evidence_id());
  // The same file under another upload: a second record, one stored copy.
  auto again = Upload("up-2", "I01.1", content);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->evidence->evidence_id(), done->evidence->evidence_id());
  int blobs = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir_.path() + "/evidence/blobs")) {
    blobs += f.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(blobs, 1);
  // Read back whole.
  auto read = manager_->evidence.Read(*done->evidence, 0, 1 << 20);
  EXPECT_EQ(*read, content);
  // Attached to its item, shown on the answer once answered.
  ASSERT_TRUE(Save("a", "", {A("I01.1", "boolean: true")}, op_).ok());
  EXPECT_EQ(manager_->answers.Get("2025", "35.72", op_)->answers(0).evidence_ids_size(), 2);
  EXPECT_EQ(manager_->answers.Get("2025", "35.72", op_)->progress().missing_evidence_size(), 0);
}

TEST_P(SubmissionsTest, AnUploadNeverFinishedIsRemovedWithItsBytesAfterItsLifetime) {
  const std::string content(64 * 1024, 'x');
  const v1::UploadHeader h = Header("stalled", "I01.1", content);
  ASSERT_TRUE(manager_->evidence.BeginUpload(h, op_).ok());
  ASSERT_TRUE(manager_->evidence.AppendChunk(h, content.substr(0, 1024), op_).ok());
  ASSERT_TRUE(Upload("finished", "I01.1", "%PDF-1.4 finished").ok());
  clock_.Advance(absl::Hours(71));
  EXPECT_EQ(*manager_->evidence.ExpireStagedUploads(), 0) << "still within its lifetime";
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(*manager_->evidence.ExpireStagedUploads(), 1);
  EXPECT_EQ(manager_->evidence.UploadStatus("stalled", "35.72").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/evidence/uploads/35.72-stalled.part"));
  // Finished evidence never expires; the client starts the stalled one again.
  EXPECT_TRUE(manager_->evidence.UploadStatus("finished", "35.72")->evidence.has_value());
  auto again = Upload("stalled", "I01.1", content);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->evidence.has_value());
}

TEST_P(SubmissionsTest, ARegionOverItsEvidenceQuotaIsRefusedAndKeepsWhatItHas) {
  SubmissionUseCases small(
      store_.get(), &directory_, blobs_.get(), ThresholdGate(), &clock_,
      EvidenceLimits{
          .max_evidence_bytes = 1 << 20, .region_evidence_quota_bytes = 1 << 20, .max_open_uploads_per_region = 2});
  const std::string big(600 * 1024, 'b');
  ASSERT_TRUE(small.evidence.BeginUpload(Header("one", "I01.1", big), op_).ok());  // under way: counted
  auto over = small.evidence.BeginUpload(Header("two", "I01.1", big + "2"), op_);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("quota"));
  EXPECT_EQ(small.evidence.UploadStatus("two", "35.72").status().code(), absl::StatusCode::kNotFound) << "nothing recorded";
  // Resuming an upload already counted is never refused.
  EXPECT_TRUE(small.evidence.BeginUpload(Header("one", "I01.1", big), op_).ok());
  // Small files too are refused beyond the uploads a region may have under way.
  ASSERT_TRUE(small.evidence.BeginUpload(Header("s1", "I01.1", "%PDF-1.4 a"), op_).ok());
  auto crowded = small.evidence.BeginUpload(Header("s2", "I01.1", "%PDF-1.4 b"), op_);
  EXPECT_EQ(crowded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(crowded.status().message(), HasSubstr("under way"));
  // Another region has its own quota.
  v1::UploadHeader theirs = Header("two", "I01.1", big);
  theirs.set_region_code("35.05");
  EXPECT_TRUE(small.evidence.BeginUpload(theirs, op_).ok());
  // And a region holds a bounded number of files, however small.
  SubmissionUseCases few(store_.get(), &directory_, blobs_.get(), ThresholdGate(), &clock_,
                        EvidenceLimits{.max_evidence_files_per_region = 1});
  v1::UploadHeader first = Header("f1", "I01.2", "%PDF-1.4 one");
  ASSERT_TRUE(few.evidence.BeginUpload(first, op_).ok());
  ASSERT_TRUE(few.evidence.AppendChunk(first, "%PDF-1.4 one", op_)->evidence.has_value());
  v1::UploadHeader second = Header("f2", "I01.2", "%PDF-1.4 two");
  EXPECT_EQ(few.evidence.BeginUpload(second, op_).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_P(SubmissionsTest, AnotherRegionCannotPreemptAnUploadId) {
  // Kabupaten Blitar's operator registers the id Kota Blitar's client will
  // derive for its file, with a file of its own.
  const std::string content = "%PDF-1.4 SK Gugus Tugas Kota Blitar";
  v1::UploadHeader theirs = Header("sk-2024", "I01.1", "%PDF-1.4 something else");
  theirs.set_region_code("35.05");
  ASSERT_TRUE(manager_->evidence.BeginUpload(theirs, op_).ok());
  // Kota Blitar's upload under the same id is its own, unaffected.
  auto ours = Upload("sk-2024", "I01.1", content);
  ASSERT_TRUE(ours.ok()) << ours.status();
  ASSERT_TRUE(ours->evidence.has_value());
  EXPECT_EQ(ours->evidence->region_code(), "35.72");
  EXPECT_EQ(manager_->evidence.UploadStatus("sk-2024", "35.72")->received, static_cast<int64_t>(content.size()));
  EXPECT_EQ(manager_->evidence.UploadStatus("sk-2024", "35.05")->received, 0);
  EXPECT_EQ(manager_->evidence.UploadStatus("sk-2024", "35.78").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(SubmissionsTest, BadUploadsAreRefusedAndKeepNothing) {
  v1::UploadHeader h = Header("bad-type", "I01.1", "PK zip");
  h.set_media_type("application/zip");
  auto r = manager_->evidence.BeginUpload(h, op_);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status())[0].field, "header.media_type");
  h = Header("too-big", "I01.1", "x");
  h.set_size_bytes(2 << 20);  // the limit here is 1 MiB
  EXPECT_EQ(GetFieldViolations(manager_->evidence.BeginUpload(h, op_).status())[0].field, "header.size_bytes");
  // Bytes that do not match the announced SHA-256: nothing kept, the id is spent.
  h = Header("corrupt", "I01.1", "the real content");
  ASSERT_TRUE(manager_->evidence.BeginUpload(h, op_).ok());
  auto corrupt = manager_->evidence.AppendChunk(h, "the fake content", op_);
  ASSERT_EQ(corrupt.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(corrupt.status().message(), HasSubstr("nothing was kept"));
  EXPECT_EQ(*blobs_->StagedSize("corrupt"), 0);
  EXPECT_THAT(manager_->evidence.BeginUpload(h, op_).status().message(), HasSubstr("start again with a new id"));
  EXPECT_TRUE(manager_->evidence.List("2025", "35.72", "")->empty());
  // More bytes than announced.
  h = Header("long", "I01.1", "abc");
  ASSERT_TRUE(manager_->evidence.BeginUpload(h, op_).ok());
  EXPECT_EQ(manager_->evidence.AppendChunk(h, "abcdef", op_).status().code(), absl::StatusCode::kInvalidArgument);
  // Verifiers do not upload for the region.
  EXPECT_EQ(manager_->evidence.BeginUpload(Header("v", "I01.1", "x"), prov_).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_P(SubmissionsTest, ObjectionsAreFiledInTheirWindowAndDecidedBeforeFinalVerification) {
  // Below the field-verification threshold: awaiting final verification after the central review.
  std::string etag = Submitted("c");
  auto p = Verify("p", etag, prov_);
  ASSERT_TRUE(p.ok()) << p.status();
  auto c = Verify("c", p->submission.etag(), central_);
  ASSERT_TRUE(c.ok()) << c.status();
  etag = c->submission.etag();
  const int64_t notified = Outgoing("notification");
  EXPECT_TRUE(manager_->answers.Get("2025", "35.72", op_)->allowed().may_object());

  // Supporting evidence, uploaded for the objection: not the answer's evidence.
  v1::UploadHeader h = Header("sanggah-bukti", "I01.2", "%PDF-1.4 notulen rapat gugus tugas");
  h.set_purpose(v1::EVIDENCE_PURPOSE_OBJECTION);
  ASSERT_TRUE(manager_->evidence.BeginUpload(h, op_).ok());
  auto proof = manager_->evidence.AppendChunk(h, "%PDF-1.4 notulen rapat gugus tugas", op_);
  ASSERT_TRUE(proof.ok()) << proof.status();
  ASSERT_TRUE(proof->evidence.has_value());
  EXPECT_FALSE(proof->evidence->attached());
  EXPECT_EQ(proof->evidence->purpose(), v1::EVIDENCE_PURPOSE_OBJECTION);
  const std::string answer_evidence = manager_->evidence.List("2025", "35.72", "I01.1")->at(0).evidence_id();

  ObjectionCommand cmd{.request_id = "obj-1",
                       .cycle_id = "2025",
                       .region_code = "35.72",
                       .etag = etag,
                       .indicator = 1,
                       .reason = "Gugus Tugas rapat 6 kali pada 2024, notulen terlampir",
                       .evidence_ids = {proof->evidence->evidence_id()}};
  // Outside the objection window: refused, naming when it opens.
  const Window objection_window = directory_.windows_[registry::v1::CYCLE_PHASE_OBJECTION];
  directory_.windows_[registry::v1::CYCLE_PHASE_OBJECTION].open = clock_.Now() + absl::Hours(48);
  auto early = manager_->objections.File(cmd, op_);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("opens at"));
  directory_.windows_[registry::v1::CYCLE_PHASE_OBJECTION] = objection_window;
  // Only the region's operator files; evidence must belong to the indicator.
  EXPECT_EQ(manager_->objections.File(cmd, opd_).status().code(), absl::StatusCode::kPermissionDenied);
  ObjectionCommand bad = cmd;
  bad.request_id = "obj-bad";
  bad.indicator = 2;
  bad.reason = "";
  auto refused = manager_->objections.File(bad, op_);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : GetFieldViolations(refused.status())) fields.push_back(v.field);
  EXPECT_THAT(fields, ElementsAre("reason", "evidence_ids[0]"));

  auto filed = manager_->objections.File(cmd, op_);
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_EQ(filed->objection.objection_id(), "sanggah-1");
  EXPECT_EQ(filed->objection.state(), v1::OBJECTION_STATE_FILED);
  // A retry is the same objection; a second one for the indicator is refused.
  auto retried = manager_->objections.File(cmd, op_);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->submission.etag(), filed->submission.etag());
  ObjectionCommand twice = cmd;
  twice.request_id = "obj-2";
  twice.etag = filed->submission.etag();
  twice.evidence_ids = {answer_evidence};
  EXPECT_EQ(manager_->objections.File(twice, op_).status().code(), absl::StatusCode::kFailedPrecondition);

  // Final verification waits for the decision.
  auto viewed = manager_->answers.Get("2025", "35.72", central_);
  EXPECT_FALSE(viewed->allowed().may_verify());
  EXPECT_TRUE(viewed->allowed().may_resolve_objection());
  auto blocked = Verify("fin-early", filed->submission.etag(), central_);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(blocked.status().message(), HasSubstr("sanggah-1"));

  v1::Adjustment fix;
  fix.set_item_id("I01.2");
  fix.mutable_value()->set_choice("a");
  ResolveCommand resolve{.request_id = "res-1",
                         .cycle_id = "2025",
                         .region_code = "35.72",
                         .etag = filed->submission.etag(),
                         .objection_id = "sanggah-1",
                         .decision = v1::OBJECTION_DECISION_ACCEPT,
                         .reason = "notulen membuktikan 6 rapat",
                         .adjustments = {fix}};
  EXPECT_EQ(manager_->objections.Resolve(resolve, op_).status().code(), absl::StatusCode::kPermissionDenied);
  ResolveCommand outside = resolve;
  outside.request_id = "res-bad";
  outside.adjustments[0].set_item_id("I02.1");
  EXPECT_EQ(manager_->objections.Resolve(outside, central_).status().code(), absl::StatusCode::kInvalidArgument);
  ResolveCommand unknown = resolve;
  unknown.request_id = "res-unknown";
  unknown.objection_id = "sanggah-2";
  EXPECT_EQ(manager_->objections.Resolve(unknown, central_).status().code(), absl::StatusCode::kNotFound);
  auto accepted = manager_->objections.Resolve(resolve, central_);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->objection.state(), v1::OBJECTION_STATE_ACCEPTED);
  EXPECT_THAT(accepted->objection.adjusted_items(), ElementsAre("I01.2"));
  EXPECT_EQ(accepted->submission.adjustments(0).objection_id(), "sanggah-1");
  ResolveCommand again = resolve;
  again.request_id = "res-2";
  again.etag = accepted->submission.etag();
  again.decision = v1::OBJECTION_DECISION_REJECT;
  again.adjustments.clear();
  EXPECT_EQ(manager_->objections.Resolve(again, central_).status().code(), absl::StatusCode::kFailedPrecondition);

  // The corrected answer is in the final stage's answers.
  auto fin = Verify("fin", accepted->submission.etag(), central_);
  ASSERT_TRUE(fin.ok()) << fin.status();
  EXPECT_EQ(fin->submission.state(), v1::SUBMISSION_STATE_FINAL);
  for (const auto& a : fin->completed.answers()) {
    if (a.item_id() == "I01.2") {
      EXPECT_EQ(a.value().choice(), "a");
    }
  }
  // The trail and the notifications.
  auto trail = manager_->answers.Audit("2025", "35.72", "", 100, "");
  ASSERT_TRUE(trail.ok());
  std::vector<v1::AuditAction> actions;
  for (const auto& e : trail->entries) actions.push_back(e.action());
  EXPECT_THAT(actions,
              ::testing::IsSupersetOf({v1::AUDIT_ACTION_OBJECTION_FILED, v1::AUDIT_ACTION_OBJECTION_ACCEPTED}));
  EXPECT_EQ(std::count(actions.begin(), actions.end(), v1::AUDIT_ACTION_OBJECTION_FILED), 1);
  EXPECT_EQ(Outgoing("notification"), notified + 3);  // filed, resolved, final verification
}

TEST_P(SubmissionsTest, AnImportNamesEveryBadLineAndAppliesNothing) {
  const std::string bad =
      "item_id,value,note\n"
      "I01.1,ya,SK Wali Kota 2024\n"
      "# a comment line\n"
      "I02.1,140\n"
      "I02.2,-3\n"
      "I09.9,ya\n"
      "I01.1,tidak\n"
      "I01.2,mungkin\n";
  auto refused = manager_->bulk.Import({"imp-1", "2025", "35.72", "", bad}, op_);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> where;
  for (const auto& v : GetFieldViolations(refused.status())) where.push_back(v.field + ": " + v.description);
  ASSERT_EQ(where.size(), 5u) << ::testing::PrintToString(where);
  EXPECT_THAT(where[0], HasSubstr("line 4: "));
  EXPECT_THAT(where[0], HasSubstr("I02.1"));
  EXPECT_THAT(where[1], HasSubstr("line 5: "));
  EXPECT_THAT(where[1], HasSubstr("I02.2"));
  EXPECT_THAT(where[2], HasSubstr("line 6: no item \"I09.9\""));
  EXPECT_THAT(where[3], HasSubstr("line 7: item I01.1 given twice (first on line 2)"));
  EXPECT_THAT(where[4], HasSubstr("line 8: "));
  EXPECT_EQ(manager_->answers.Get("2025", "35.72", op_)->answers_size(), 0);  // nothing applied

  const std::string good =
      "item_id,value,note\n"
      "I01.1,ya,\"SK Wali Kota 12/2024, berlaku\"\n"
      "I01.2,b\n"
      "I02.1,\"87,5\"\n"
      "I02.2,12\n"
      "I02.3,Perwali 12/2024\n";
  auto imported = manager_->bulk.Import({"imp-2", "2025", "35.72", "", good}, op_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported, 5);
  EXPECT_EQ(imported->submission.progress().answered(), 5);
  EXPECT_EQ(imported->submission.answers(0).note(), "SK Wali Kota 12/2024, berlaku");
  EXPECT_EQ(imported->submission.answers(2).value().percent_hundredths(), 8750);
  // A retry is applied once; a stale etag is refused.
  auto again = manager_->bulk.Import({"imp-2", "2025", "35.72", "", good}, op_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->submission.etag(), imported->submission.etag());
  EXPECT_EQ(manager_->bulk.Import({"imp-3", "2025", "35.72", "", good}, op_).status().code(),
            absl::StatusCode::kAborted);
  // Another region's lines in an export are refused.
  auto other = manager_->bulk.Import({"imp-4", "2025", "35.72", imported->submission.etag(),
                                        "cycle_id,region_code,item_id,value\n2025,35.05,I01.1,ya\n"},
                                       op_);
  ASSERT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(GetFieldViolations(other.status())[0].description, HasSubstr("region 35.05"));
}

TEST_P(SubmissionsTest, ACsvSavedByExcelWithALineBreakInANoteImports) {
  // "CSV UTF-8" from Excel: a byte order mark, CRLF, Alt+Enter inside a cell.
  const std::string excel =
      "\xEF\xBB\xBFitem_id,value,note\r\n"
      "I01.1,ya,\"SK Wali Kota 12/2024\r\nberlaku sejak 1 Januari\"\r\n"
      "I02.2,12,\r\n";
  auto imported = manager_->bulk.Import({"imp-excel", "2025", "35.72", "", excel}, op_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported, 2);
  EXPECT_EQ(imported->submission.answers(0).note(), "SK Wali Kota 12/2024\r\nberlaku sejak 1 Januari");
  // A quote never closed is named by its line, and nothing is applied.
  auto open = manager_->bulk.Import(
      {"imp-open", "2025", "35.72", imported->submission.etag(), "item_id,value,note\nI02.3,x,\"never closed\n"}, op_);
  ASSERT_EQ(open.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(open.status().message(), HasSubstr("line 2"));
}

TEST_P(SubmissionsTest, ExportOf514FullSubmissionsStreamsEveryAnswerInRegionOrder) {
  std::vector<std::string> codes;
  for (int p = 11; codes.size() < 514; ++p) {
    for (int r = 1; r <= 20 && codes.size() < 514; ++r) codes.push_back(absl::StrFormat("%02d.%02d", p, r));
  }
  directory_.more_regions_.insert(codes.begin(), codes.end());
  for (const auto& code : codes) {
    auth::Principal op = Who(auth::Role::kRegionOperator, "op." + code);
    ASSERT_TRUE(Save("fill-" + code, "", FullAnswers(), op, code).ok()) << code;
  }
  auto run = [&](v1::ExportFormat format, const std::string& after, int* messages) {
    std::string all;
    *messages = 0;
    int last_count = 0;
    absl::Status st =
        manager_->bulk.Export({"2025", "", format, after}, central_, [&](std::string lines, const std::string&, int count) {
          EXPECT_TRUE(lines.empty() || lines.back() == '\n');  // whole lines only
          EXPECT_GE(count, last_count);
          last_count = count;
          all += lines;
          ++*messages;
          return true;
        });
    EXPECT_TRUE(st.ok()) << st;
    return all;
  };
  int messages = 0;
  const std::string csv = run(v1::EXPORT_FORMAT_CSV, "", &messages);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 514u * 5u);
  EXPECT_EQ(lines[0], "cycle_id,region_code,state,stage,indicator,item_id,value,note,adjusted,answered_by,update_time");
  EXPECT_THAT(lines[1], ::testing::StartsWith("2025,11.01,DRAFT,SELF_EVALUATION,1,I01.1,ya,,tidak,op.11.01,"));
  EXPECT_THAT(lines.back(), ::testing::StartsWith(absl::StrCat("2025,", codes.back(), ",")));
  const std::string jsonl = run(v1::EXPORT_FORMAT_JSON_LINES, "", &messages);
  std::vector<std::string> records = absl::StrSplit(jsonl, '\n', absl::SkipEmpty());
  ASSERT_EQ(records.size(), 514u);
  EXPECT_GT(messages, 1);  // streamed in parts, not held whole
  v1::Submission first;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(records[0], &first).ok());
  EXPECT_EQ(first.region_code(), "11.01");
  EXPECT_EQ(first.answers_size(), 5);
  // Resumed after the 300th: the other 214, no header.
  const std::string rest = run(v1::EXPORT_FORMAT_CSV, codes[299], &messages);
  std::vector<std::string> rest_lines = absl::StrSplit(rest, '\n', absl::SkipEmpty());
  ASSERT_EQ(rest_lines.size(), 214u * 5u);
  EXPECT_THAT(rest_lines[0], ::testing::StartsWith(absl::StrCat("2025,", codes[300], ",")));
  // The CSV export imports back (one region's lines, header included).
  std::string one = lines[0] + "\n";
  for (const auto& l : lines) {
    if (absl::StartsWith(l, "2025,11.01,")) one += l + "\n";
  }
  auto back =
      manager_->bulk.Import({"round-trip", "2025", "11.01", "s1", one}, Who(auth::Role::kRegionOperator, "op.11.01"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->imported, 5);
  EXPECT_EQ(back->submission.etag(), "s2");
  EXPECT_EQ(manager_->bulk
                .Export({.cycle_id = "2025", .format = v1::EXPORT_FORMAT_UNSPECIFIED}, central_,
                         [](std::string, const std::string&, int) { return true; })
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SubmissionsTest, DetachedEvidenceStaysDownloadableAndTheTrailSaysSo) {
  auto up = Upload("up", "I01.1", "%PDF versi 1");
  ASSERT_TRUE(up.ok());
  auto detached = manager_->evidence.Detach("d1", "2025", "35.72", up->evidence->evidence_id(), op_);
  ASSERT_TRUE(detached.ok()) << detached.status();
  EXPECT_FALSE(detached->attached());
  EXPECT_TRUE(manager_->evidence.Detach("d1", "2025", "35.72", up->evidence->evidence_id(), op_).ok());  // retry
  EXPECT_EQ(*manager_->evidence.Read(*detached, 0, 100), "%PDF versi 1");
  EXPECT_EQ(manager_->evidence.Get("2025", "35.05", up->evidence->evidence_id()).status().code(),
            absl::StatusCode::kNotFound);  // not another region's
  auto trail = manager_->answers.Audit("2025", "35.72", "I01.1", 0, "");
  ASSERT_EQ(trail->entries.size(), 2U);
  EXPECT_EQ(trail->entries[0].action(), v1::AUDIT_ACTION_EVIDENCE_ATTACHED);
  EXPECT_EQ(trail->entries[1].action(), v1::AUDIT_ACTION_EVIDENCE_DETACHED);
}

INSTANTIATE_TEST_SUITE_P(Engines, SubmissionsTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

TEST(LocalBlobStoreTest, AFullDiskIsUnavailableWithADelayNotInternal) {
  testing::TempDir dir;
  LocalBlobStore blobs(dir.path());
  ASSERT_TRUE(blobs.Init().ok());
  // Every write to /dev/full fails with ENOSPC, as on a full evidence disk.
  std::filesystem::create_symlink("/dev/full", dir.path() + "/uploads/35.72-u1.part");
  auto appended = blobs.Append("35.72-u1", "%PDF-1.4");
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(GetRetryAfter(appended.status()).has_value());
  EXPECT_TRUE(IsConcealed(appended.status())) << "the path is for the log, not the caller";
}

}  // namespace
}  // namespace kla::submission
