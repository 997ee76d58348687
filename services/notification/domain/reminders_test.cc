#include "services/notification/domain/reminders.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

#include "libs/kernel/time.h"
#include "services/notification/domain/intake.h"
#include "services/notification/domain/templates.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;
using registry::v1::CYCLE_PHASE_SELF_EVALUATION;
using submission::v1::Submission;

const absl::Time kOpen = absl::FromUnixSeconds(1'767'225'600);  // 2026-01-01 00:00 UTC
const absl::Time kClose = kOpen + absl::Hours(24 * 30);

class FakeWorkflow final : public WorkflowReader {
 public:
  FakeWorkflow() {
    registry::v1::Cycle c;
    c.set_id("2026");
    c.set_rulebook_version("v1");
    c.set_state(registry::v1::CYCLE_STATE_SELF_EVALUATION);
    auto* w = c.add_windows();
    w->set_phase(CYCLE_PHASE_SELF_EVALUATION);
    *w->mutable_open_time() = ToProtoTime(kOpen);
    *w->mutable_close_time() = ToProtoTime(kClose);
    cycles.push_back(c);
    regencies = {"35.72", "35.07", "11.01"};
  }
  absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() override { return cycles; }
  absl::StatusOr<std::vector<registry::v1::RegionExtension>> ListExtensions(const std::string&) override {
    return extensions;
  }
  absl::StatusOr<std::vector<std::string>> ListRegencyCodes() override { return regencies; }
  absl::StatusOr<std::vector<Submission>> ListSubmissions(const std::string&) override {
    ++submission_reads;
    if (!submissions_up) return absl::UnavailableError("submission down");
    return submissions;
  }
  absl::StatusOr<int> CountItems(const std::string&) override { return 58; }

  void Set(const std::string& region, submission::v1::SubmissionState state, int answered) {
    for (auto& s : submissions) {
      if (s.region_code() == region) {
        s.set_state(state);
        s.mutable_progress()->set_answered(answered);
        return;
      }
    }
    Submission s;
    s.set_region_code(region);
    s.set_state(state);
    s.mutable_progress()->set_answered(answered);
    submissions.push_back(s);
  }
  void Extend(const std::string& region, absl::Time close) {
    registry::v1::RegionExtension e;
    e.set_region_code(region);
    e.set_phase(CYCLE_PHASE_SELF_EVALUATION);
    *e.mutable_close_time() = ToProtoTime(close);
    extensions.insert(extensions.begin(), e);  // newest first
  }

  std::vector<registry::v1::Cycle> cycles;
  std::vector<registry::v1::RegionExtension> extensions;
  std::vector<std::string> regencies;
  std::vector<Submission> submissions;
  bool submissions_up = true;
  int submission_reads = 0;
};

// Intake as the notification service does it: first one per event id wins.
struct FakeIntake {
  absl::StatusOr<bool> Accept(const event::v1::EventEnvelope& e) {
    ++calls;
    auto n = FromEvent(e, absl::UnixEpoch());
    if (!n.ok()) return n.status();
    if (accepted.contains(e.event_id())) return true;
    accepted[e.event_id()] = *n;
    return false;
  }
  // (region, days) of what was accepted.
  std::multiset<std::pair<std::string, int>> Sent() const {
    std::multiset<std::pair<std::string, int>> out;
    for (const auto& [id, n] : accepted) out.emplace(n.region().code(), n.stage_closing_soon().days_before());
    return out;
  }
  std::map<std::string, v1::Notification> accepted;
  int calls = 0;
};

class RemindersTest : public ::testing::Test {
 protected:
  Reminders Make() {
    return Reminders(&workflow_, [this](const event::v1::EventEnvelope& e) { return intake_.Accept(e); }, &clock_,
                     {7, 3, 1});
  }
  FakeWorkflow workflow_;
  FakeIntake intake_;
  FakeClock clock_{kOpen};
};

TEST_F(RemindersTest, OnlyRegionsThatHaveNotSubmittedOnEachReminderDay) {
  workflow_.Set("35.72", submission::v1::SUBMISSION_STATE_DRAFT, 40);
  workflow_.Set("35.07", submission::v1::SUBMISSION_STATE_AWAITING_VERIFICATION, 58);
  // 11.01 has saved nothing.
  Reminders reminders = Make();

  ASSERT_EQ(reminders.Run().value(), 0);  // 30 days to go
  EXPECT_EQ(workflow_.submission_reads, 0) << "nothing due: the submissions are not read";

  clock_.Set(kClose - absl::Hours(24 * 7));
  ASSERT_EQ(reminders.Run().value(), 2);
  EXPECT_EQ(intake_.Sent(), (std::multiset<std::pair<std::string, int>>{{"11.01", 7}, {"35.72", 7}}));
  const v1::Notification& blitar = intake_.accepted.begin()->second.region().code() == "35.72"
                                       ? intake_.accepted.begin()->second
                                       : std::next(intake_.accepted.begin())->second;
  EXPECT_EQ(blitar.type(), v1::EVENT_TYPE_STAGE_CLOSING_SOON);
  EXPECT_EQ(blitar.cycle_id(), "2026");
  EXPECT_EQ(blitar.province().code(), "35");
  EXPECT_EQ(blitar.stage_closing_soon().answered_items(), 40);
  EXPECT_EQ(blitar.stage_closing_soon().required_items(), 58);
  EXPECT_EQ(blitar.stage_closing_soon().submission_state(), submission::v1::SUBMISSION_STATE_DRAFT);
  EXPECT_EQ(blitar.stage_closing_soon().close_time().seconds(), absl::ToUnixSeconds(kClose));
  EXPECT_EQ(blitar.stage_closing_soon().days_left(), 7);

  // Later passes the same day: nothing new, the submissions not read again.
  const int reads = workflow_.submission_reads;
  clock_.Advance(absl::Hours(5));
  ASSERT_EQ(reminders.Run().value(), 0);
  EXPECT_EQ(workflow_.submission_reads, reads);

  // 35.72 submits; 3 days before only 11.01 is reminded.
  workflow_.Set("35.72", submission::v1::SUBMISSION_STATE_AWAITING_VERIFICATION, 58);
  clock_.Set(kClose - absl::Hours(24 * 3));
  ASSERT_EQ(reminders.Run().value(), 1);
  clock_.Set(kClose - absl::Hours(1));
  ASSERT_EQ(reminders.Run().value(), 1);
  EXPECT_EQ(intake_.Sent(),
            (std::multiset<std::pair<std::string, int>>{{"11.01", 7}, {"11.01", 3}, {"11.01", 1}, {"35.72", 7}}));

  // Closed: no more.
  clock_.Set(kClose);
  ASSERT_EQ(reminders.Run().value(), 0);
}

TEST_F(RemindersTest, AStartAfterSeveralReminderDaysSendsOnlyTheMostUrgent) {
  clock_.Set(kClose - absl::Hours(24 * 2));  // the 7- and 3-day reminders were due while down
  Reminders reminders = Make();
  ASSERT_EQ(reminders.Run().value(), 3);
  for (const auto& [region, days] : intake_.Sent()) EXPECT_EQ(days, 3) << region;
  for (const auto& [id, n] : intake_.accepted) EXPECT_EQ(n.stage_closing_soon().days_left(), 2);
}

TEST_F(RemindersTest, ARestartOrASecondReplicaMakesTheSameIdsAndIntakeKeepsTheFirst) {
  clock_.Set(kClose - absl::Hours(24 * 7));
  ASSERT_EQ(Make().Run().value(), 3);
  // A new process (empty memory) at the same moment, or another replica.
  Reminders again = Make();
  ASSERT_EQ(again.Run().value(), 0);
  EXPECT_EQ(intake_.accepted.size(), 3u);
  EXPECT_EQ(intake_.calls, 6) << "the second one offered them, intake refused them as seen";
}

TEST_F(RemindersTest, AnExtendedRegionIsRemindedBeforeItsOwnDeadline) {
  workflow_.Extend("35.72", kClose + absl::Hours(48));
  Reminders reminders = Make();
  clock_.Set(kClose - absl::Hours(24));  // the others' last day
  ASSERT_EQ(reminders.Run().value(), 3);
  EXPECT_EQ(intake_.Sent(), (std::multiset<std::pair<std::string, int>>{{"11.01", 1}, {"35.07", 1}, {"35.72", 3}}));

  // After the common close, 35.72 still has its extension.
  clock_.Set(kClose + absl::Hours(24));
  ASSERT_EQ(reminders.Run().value(), 1);
  ASSERT_EQ(reminders.Run().value(), 0);
  EXPECT_EQ(intake_.Sent().count({"35.72", 1}), 1u);
  for (const auto& [id, n] : intake_.accepted) {
    if (n.region().code() == "35.72") {
      EXPECT_EQ(n.stage_closing_soon().close_time().seconds(), absl::ToUnixSeconds(kClose + absl::Hours(48)));
    }
  }
}

TEST_F(RemindersTest, TheSubmissionServiceDownMeansTheNextPassTriesAgain) {
  clock_.Set(kClose - absl::Hours(24 * 7));
  workflow_.submissions_up = false;
  Reminders reminders = Make();
  EXPECT_EQ(reminders.Run().status().code(), absl::StatusCode::kUnavailable);
  workflow_.submissions_up = true;
  ASSERT_EQ(reminders.Run().value(), 3);
}

TEST_F(RemindersTest, OnlyCyclesInSelfEvaluation) {
  workflow_.cycles[0].set_state(registry::v1::CYCLE_STATE_PROVINCIAL_VERIFICATION);
  clock_.Set(kClose - absl::Hours(24));
  ASSERT_EQ(Make().Run().value(), 0);
  EXPECT_EQ(workflow_.submission_reads, 0);
}

TEST(ReminderTextTest, IndonesianByDefaultEnglishOnRequest) {
  auto templates = Templates::Parse(Templates::BuiltIn());
  ASSERT_TRUE(templates.ok()) << templates.status();
  v1::StageClosingSoon r;
  r.set_cycle_id("2026");
  r.set_region_code("35.72");
  r.set_phase(CYCLE_PHASE_SELF_EVALUATION);
  *r.mutable_close_time() = ToProtoTime(absl::FromUnixSeconds(1'780'246'740));  // 2026-05-31 23:59 WIB
  r.set_days_before(3);
  r.set_days_left(3);
  r.set_answered_items(40);
  r.set_required_items(58);
  auto n = FromEvent(ReminderEvent(r, kOpen), kOpen);
  ASSERT_TRUE(n.ok()) << n.status();
  const RegionNames names = {{"35.72", "Kota Blitar"}};
  const v1::Text id = templates->Render(*n, "id", names);
  EXPECT_EQ(id.title(), "Batas evaluasi mandiri KLA 2026 Kota Blitar: 3 hari lagi");
  EXPECT_EQ(id.body(),
            "Pengingat: evaluasi mandiri KLA 2026 untuk Kota Blitar ditutup pada 2026-05-31 23:59 WIB, 3 hari lagi, "
            "dan evaluasinya belum dikirim (40 dari 58 butir terisi). Lengkapi jawaban dan bukti dukung, lalu kirim "
            "sebelum batas waktu.");
  n->mutable_stage_closing_soon()->set_days_left(1);
  EXPECT_EQ(templates->Render(*n, "en", names).title(), "KLA 2026 self-evaluation of Kota Blitar closes in 1 day");
}

TEST(ReminderEventTest, IdDependsOnRegionCloseAndDay) {
  v1::StageClosingSoon r;
  r.set_cycle_id("2026");
  r.set_region_code("35.72");
  r.set_phase(CYCLE_PHASE_SELF_EVALUATION);
  *r.mutable_close_time() = ToProtoTime(kClose);
  r.set_days_before(3);
  const std::string id = ReminderEvent(r, kOpen).event_id();
  EXPECT_EQ(ReminderEvent(r, kOpen + absl::Hours(1)).event_id(), id) << "not the time it is made";
  r.set_days_before(1);
  EXPECT_NE(ReminderEvent(r, kOpen).event_id(), id);
  r.set_days_before(3);
  *r.mutable_close_time() = ToProtoTime(kClose + absl::Hours(48));
  EXPECT_NE(ReminderEvent(r, kOpen).event_id(), id) << "an extension re-arms the reminders";
}

}  // namespace
}  // namespace kla::notification
