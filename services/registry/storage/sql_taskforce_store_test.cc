#include "services/registry/storage/sql_taskforce_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/common/errors.h"
#include "services/registry/storage/registry_test_fixture.h"

namespace kla::registry {
namespace {

using ::testing::ElementsAre;
using testing::Engine;
using ::testing::HasSubstr;

v1::TaskForceMember Member(const std::string& name, const std::string& agency, v1::TaskForceRole role,
                           type::v1::Cluster group = type::v1::CLUSTER_UNSPECIFIED) {
  v1::TaskForceMember m;
  m.set_name(name);
  m.set_position("Kepala");
  m.set_agency(agency);
  m.set_role(role);
  m.set_sub_group(group);
  return m;
}

// Kota Blitar's task force, with members in KELEMBAGAAN and K3 only.
v1::TaskForce Blitar() {
  v1::TaskForce tf;
  tf.set_region_code("35.72");
  tf.mutable_decree()->set_number("188/123/KEP/410.012/2024");
  tf.mutable_decree()->set_date("2024-02-01");
  tf.mutable_decree()->set_signatory("Wali Kota Blitar");
  *tf.add_members() = Member("Ketua Bappeda", "Bappeda", v1::TASK_FORCE_ROLE_CHAIR);
  *tf.add_members() = Member("Wakil", "Sekretariat Daerah", v1::TASK_FORCE_ROLE_VICE_CHAIR);
  *tf.add_members() = Member("Sekretaris", "Dinas P3AP2KB", v1::TASK_FORCE_ROLE_SECRETARY);
  *tf.add_members() = Member("Anggota 1", "Bagian Hukum", v1::TASK_FORCE_ROLE_MEMBER, type::v1::CLUSTER_KELEMBAGAAN);
  *tf.add_members() =
      Member("Anggota 2", "Dinas Kesehatan", v1::TASK_FORCE_ROLE_MEMBER, type::v1::CLUSTER_K3_KESEHATAN);
  tf.mutable_rad_kla()->set_document_ref("Perwali 12/2024");
  tf.mutable_rad_kla()->set_start_year(2024);
  tf.mutable_rad_kla()->set_end_year(2026);
  return tf;
}

class TaskForceTest : public RegistryStorageTest {
 protected:
  void SetUp() override {
    RegistryStorageTest::SetUp();
    store_ = std::make_unique<SqlTaskForceStore>(db_.get());
    registry_ = std::make_unique<TaskForceRegistry>(store_.get(), regions_.get(), &clock_);
  }

  std::unique_ptr<SqlTaskForceStore> store_;
  std::unique_ptr<TaskForceRegistry> registry_;
};

TEST_P(TaskForceTest, CreateUpdateWithEtagAndKeepHistory) {
  auto created = registry_->Create(Blitar(), "operator-35.72");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->etag(), "v1");
  EXPECT_THAT(created->missing_sub_groups(),
              ElementsAre(type::v1::CLUSTER_K1_HAK_SIPIL, type::v1::CLUSTER_K2_LINGKUNGAN_KELUARGA,
                          type::v1::CLUSTER_K4_PENDIDIKAN, type::v1::CLUSTER_K5_PERLINDUNGAN_KHUSUS));
  // Retrying the same create is harmless; another create is refused.
  EXPECT_TRUE(registry_->Create(Blitar(), "operator-35.72").ok());
  v1::TaskForce other = Blitar();
  other.mutable_decree()->set_number("lain");
  EXPECT_EQ(registry_->Create(other, "x").status().code(), absl::StatusCode::kAlreadyExists);

  v1::TaskForce change = *created;
  change.mutable_decree()->set_number("188/200/KEP/2025");
  change.mutable_decree()->set_date("2025-01-15");
  change.clear_members();  // not in the mask: ignored
  clock_.Advance(absl::Hours(1));
  auto updated = registry_->Update(change, {"decree"}, "admin");
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "v2");
  EXPECT_EQ(updated->members_size(), 5);
  EXPECT_EQ(updated->decree().number(), "188/200/KEP/2025");

  // The other operator still holds v1.
  EXPECT_EQ(registry_->Update(change, {"decree"}, "other").status().code(), absl::StatusCode::kAborted);

  auto history = registry_->History("35.72");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_THAT((*history)[0].changed_fields(), ElementsAre("create"));
  EXPECT_THAT((*history)[1].changed_fields(), ElementsAre("decree"));
  EXPECT_EQ((*history)[1].changed_by(), "admin");
  EXPECT_EQ((*history)[0].task_force().decree().number(), "188/123/KEP/410.012/2024");
}

TEST_P(TaskForceTest, ValidationListsEveryProblem) {
  v1::TaskForce bad = Blitar();
  bad.mutable_decree()->set_date("2024-02-30");
  bad.mutable_members(0)->set_role(v1::TASK_FORCE_ROLE_MEMBER);  // no chair now, and no sub-group
  bad.mutable_members(4)->set_agency("");
  auto r = registry_->Create(bad, "x");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kla::GetFieldViolations(r.status()).size(), 4u);
  v1::TaskForce nowhere = Blitar();
  nowhere.set_region_code("36.71");
  EXPECT_EQ(registry_->Create(nowhere, "x").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(TaskForceTest, MeetingLogCountsMeetingsAYear) {
  ASSERT_TRUE(registry_->Create(Blitar(), "x").ok());
  for (int i = 1; i <= 5; ++i) {
    v1::TaskForceMeeting m;
    m.set_region_code("35.72");
    m.set_date(absl::StrCat("2025-0", i, "-10"));
    m.set_agenda("Rapat koordinasi Gugus Tugas KLA");
    m.set_attendance(20 + i);
    ASSERT_TRUE(registry_->AddMeeting(m, absl::StrCat("req-", i)).ok());
    ASSERT_TRUE(registry_->AddMeeting(m, absl::StrCat("req-", i)).ok());  // a retry adds nothing
    if (i == 4) {
      auto four = registry_->Meetings("35.72", 2025);
      ASSERT_TRUE(four.ok());
      EXPECT_FALSE(four->more_than_four);
    }
  }
  auto log = registry_->Meetings("35.72", 2025);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->meetings.size(), 5u);
  EXPECT_TRUE(log->more_than_four);
  EXPECT_EQ(registry_->Meetings("35.72", 2024)->meetings.size(), 0u);
  EXPECT_EQ(registry_->Meetings("35.05", 2025).status().code(), absl::StatusCode::kNotFound);

  auto page = registry_->List("35", 0, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->task_forces.size(), 1u);
  EXPECT_EQ(page->task_forces[0].region_code(), "35.72");
  EXPECT_EQ(registry_->List("36", 0, "")->task_forces.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, TaskForceTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
