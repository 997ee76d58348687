// The cycle state machine with an injected clock, on both engines.

#include "services/registry/storage/sql_cycle_store.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/kernel/time.h"
#include "services/registry/domain/rulebook.h"
#include "services/registry/storage/registry_test_fixture.h"
#include "services/registry/storage/sql_rulebook_store.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;
using testing::Engine;
using ::testing::HasSubstr;

absl::Time Day(int d) { return absl::FromUnixSeconds(1'735'689'600) + absl::Hours(24) * d; }  // 2025-01-01 + d

// Cycle 2025: each phase 30 days, back to back from day 10; ceremony day 230.
v1::Cycle Cycle2025() {
  v1::Cycle c;
  c.set_id("2025");
  c.set_name("Evaluasi KLA 2025");
  c.set_rulebook_version("2023.1-ilustratif");
  for (int p = 1; p <= 6; ++p) {
    auto* w = c.add_windows();
    w->set_phase(static_cast<v1::CyclePhase>(p));
    *w->mutable_open_time() = ToProtoTime(Day(10 + 30 * (p - 1)));
    *w->mutable_close_time() = ToProtoTime(Day(10 + 30 * p));
  }
  *c.mutable_announcement_time() = ToProtoTime(Day(230));
  return c;
}

class CycleTest : public RegistryStorageTest {
 protected:
  void SetUp() override {
    RegistryStorageTest::SetUp();
    rulebooks_ = std::make_unique<SqlRulebookStore>(db_.get());
    cycles_ = std::make_unique<SqlCycleStore>(db_.get());
    manager_ = std::make_unique<CycleManager>(cycles_.get(), rulebooks_.get(), regions_.get(), &clock_);
    RulebookLibrary lib(rulebooks_.get(), &clock_);
    ASSERT_TRUE(lib.Upload("rb", {.textproto = testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto")}).ok());
    clock_.Set(Day(0));
  }

  std::unique_ptr<SqlRulebookStore> rulebooks_;
  std::unique_ptr<SqlCycleStore> cycles_;
  std::unique_ptr<CycleManager> manager_;
};

TEST_P(CycleTest, WalksThroughEveryStateWhenItsTimeComes) {
  auto c = manager_->Create(Cycle2025());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), v1::CYCLE_STATE_PLANNED);
  EXPECT_EQ(c->etag(), "v1");

  // Too early: the message names the time.
  auto early = manager_->Advance("2025", c->etag(), "admin");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("before 2025-01-11T00:00:00Z (phase SELF_EVALUATION opens then)"));

  std::string etag = c->etag();
  for (int p = 1; p <= 6; ++p) {
    clock_.Set(Day(10 + 30 * (p - 1)));
    auto next = manager_->Advance("2025", etag, "admin");
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->state(), static_cast<v1::CycleState>(p + 1));
    etag = next->etag();
  }
  EXPECT_FALSE(manager_->Advance("2025", etag, "admin").ok());  // final verification still open
  clock_.Set(Day(190));
  auto published = manager_->Advance("2025", etag, "admin");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->state(), v1::CYCLE_STATE_PUBLISHED);
  clock_.Set(Day(230));
  auto closed = manager_->Advance("2025", published->etag(), "admin");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state(), v1::CYCLE_STATE_CLOSED);
  EXPECT_EQ(manager_->Advance("2025", closed->etag(), "admin").status().code(), absl::StatusCode::kFailedPrecondition);

  auto history = manager_->History("2025");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 8u);
  EXPECT_EQ((*history)[0].to_state(), v1::CYCLE_STATE_SELF_EVALUATION);
  EXPECT_EQ((*history)[7].to_state(), v1::CYCLE_STATE_CLOSED);
  EXPECT_EQ((*history)[0].actor(), "admin");
}

TEST_P(CycleTest, StaleEtagIsAborted) {
  auto c = manager_->Create(Cycle2025());
  ASSERT_TRUE(c.ok());
  v1::Cycle rename = *c;
  rename.set_name("Evaluasi KLA Tahun 2025");
  auto updated = manager_->Update(rename, {"name"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "v2");
  // A second writer still holding v1.
  rename.set_name("Lain");
  EXPECT_EQ(manager_->Update(rename, {"name"}).status().code(), absl::StatusCode::kAborted);
  clock_.Set(Day(10));
  EXPECT_EQ(manager_->Advance("2025", "v1", "admin").status().code(), absl::StatusCode::kAborted);
}

TEST_P(CycleTest, CreateIsSafeToRetryAndValidatesEverything) {
  ASSERT_TRUE(manager_->Create(Cycle2025()).ok());
  auto retry = manager_->Create(Cycle2025());
  ASSERT_TRUE(retry.ok()) << retry.status();
  v1::Cycle other = Cycle2025();
  other.set_name("Beda");
  EXPECT_EQ(manager_->Create(other).status().code(), absl::StatusCode::kAlreadyExists);

  v1::Cycle bad = Cycle2025();
  bad.set_id("20 25");
  bad.set_rulebook_version("1999");
  *bad.mutable_windows(2)->mutable_open_time() = ToProtoTime(Day(20));  // overlaps the previous phase
  bad.clear_announcement_time();
  auto r = manager_->Create(bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status()).size(), 4u);
}

TEST_P(CycleTest, OnceOpenTheRulebookTakesOnlyACorrectionOfTheSameItems) {
  auto c = manager_->Create(Cycle2025());
  ASSERT_TRUE(c.ok());
  clock_.Set(Day(10));
  auto open = manager_->Advance("2025", c->etag(), "admin");
  ASSERT_TRUE(open.ok());
  auto original = ParseRulebookText(testing::SourceFile("rulebooks/kla-2023-ilustratif.textproto"));
  ASSERT_TRUE(original.ok());
  RulebookLibrary lib(rulebooks_.get(), &clock_);
  auto upload = [&](const v1::Rulebook& rb) {
    std::string text;
    google::protobuf::TextFormat::PrintToString(rb, &text);
    return lib.Upload("admin", {.textproto = text});
  };
  // A correction: another threshold for field verification, same items.
  v1::Rulebook corrected = *original;
  corrected.set_version("2023.2-koreksi");
  corrected.mutable_field_verification_threshold()->set_hundredths(75000);
  ASSERT_TRUE(upload(corrected).ok());
  // Not a correction: a choice loses an option the regions may have picked.
  v1::Rulebook other = *original;
  other.set_version("2023.3-lain");
  v1::ItemRule* choice = nullptr;
  for (auto& ind : *other.mutable_indicators()) {
    for (auto& item : *ind.mutable_items()) {
      if (choice == nullptr && item.type() == v1::ITEM_TYPE_CHOICE) choice = &item;
    }
  }
  ASSERT_NE(choice, nullptr);
  choice->mutable_options(0)->set_id("opsi-baru");
  auto uploaded = upload(other);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  v1::Cycle change = *open;
  change.set_rulebook_version("2023.3-lain");
  auto refused = manager_->Update(change, {"rulebook_version"});
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              ::testing::HasSubstr(absl::StrCat("item ", choice->id(), " changes its options")));
  change.set_rulebook_version("2023.2-koreksi");
  auto updated = manager_->Update(change, {"rulebook_version"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->rulebook_version(), "2023.2-koreksi");
  EXPECT_EQ(manager_->Update(*updated, {"state"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(CycleTest, ExtensionsMoveOneRegionsDeadline) {
  ASSERT_TRUE(manager_->Create(Cycle2025()).ok());
  v1::RegionExtension req;
  req.set_cycle_id("2025");
  req.set_region_code("35.72");
  req.set_phase(v1::CYCLE_PHASE_SELF_EVALUATION);
  *req.mutable_close_time() = ToProtoTime(Day(40) + absl::Hours(48));
  req.set_reason("Tambahan 2x24 jam untuk mengunggah data dukung yang kurang");
  auto ext = manager_->GrantExtension(req, "ext-1", "admin@kemenpppa");
  ASSERT_TRUE(ext.ok()) << ext.status();
  EXPECT_EQ(ext->granted_by(), "admin@kemenpppa");
  // A retry returns the first grant and records nothing again; the id for
  // another extension is refused.
  clock_.Advance(absl::Minutes(1));
  auto again = manager_->GrantExtension(req, "ext-1", "admin@kemenpppa");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->grant_time().seconds(), ext->grant_time().seconds());
  v1::RegionExtension other_ext = req;
  other_ext.set_reason("lain");
  auto reused = manager_->GrantExtension(other_ext, "ext-1", "admin");
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetReason(reused.status())->reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(manager_->GrantExtension(req, "", "admin").status().code(), absl::StatusCode::kInvalidArgument);

  auto w = manager_->WindowFor("2025", "35.72", v1::CYCLE_PHASE_SELF_EVALUATION);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->close_time, Day(42));
  ASSERT_TRUE(w->extension.has_value());
  auto other = manager_->WindowFor("2025", "35.05", v1::CYCLE_PHASE_SELF_EVALUATION);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->close_time, Day(40));

  *req.mutable_close_time() = ToProtoTime(Day(39));  // earlier than the phase itself
  EXPECT_EQ(manager_->GrantExtension(req, "ext-x", "admin").status().code(), absl::StatusCode::kInvalidArgument);
  req.set_region_code("35.99");
  *req.mutable_close_time() = ToProtoTime(Day(41));
  EXPECT_EQ(manager_->GrantExtension(req, "ext-x", "admin").status().code(), absl::StatusCode::kNotFound);
  req.set_reason("");
  EXPECT_EQ(manager_->GrantExtension(req, "ext-x", "admin").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->Extensions("2025", "35.72")->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Engines, CycleTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
