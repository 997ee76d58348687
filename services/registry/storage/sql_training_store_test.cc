// Diklat KHA on both engines, with the numbers of Kota Blitar's 2022 course
// (40 participants: 18 education, 4 health, 18 DP3AP2KB and related OPDs).

#include "services/registry/storage/sql_training_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "services/registry/storage/registry_test_fixture.h"

namespace kla::registry {
namespace {

using testing::Engine;
using ::testing::HasSubstr;

auth::Principal Caller(auth::Role role, std::string region = "", std::string province = "") {
  auth::Principal p;
  p.role = role;
  p.subject = "caller";
  p.region_code = std::move(region);
  p.province_code = std::move(province);
  return p;
}
const auth::Principal kAdmin = Caller(auth::Role::kNationalAdmin);

std::string BlitarParticipants() {
  std::string csv = "name,agency,region_code,position\n";
  for (int i = 1; i <= 18; ++i) absl::StrAppend(&csv, "Guru ", i, ",Dinas Pendidikan,35.72,Guru\n");
  for (int i = 1; i <= 4; ++i) absl::StrAppend(&csv, "Tenaga Kesehatan ", i, ",Dinas Kesehatan,35.72,Bidan\n");
  for (int i = 1; i <= 18; ++i) absl::StrAppend(&csv, "Staf ", i, ",Dinas P3AP2KB,35.72,Staf\n");
  return csv;
}

class TrainingTest : public RegistryStorageTest {
 protected:
  void SetUp() override {
    RegistryStorageTest::SetUp();
    store_ = std::make_unique<SqlTrainingStore>(db_.get());
    trainings_ = std::make_unique<TrainingRegistry>(store_.get(), regions_.get(), &clock_);
  }

  v1::Training Diklat2022() {
    v1::Training t;
    t.set_title("Diklat Konvensi Hak Anak Kota Blitar 2022");
    t.set_organiser("BKD Kota Blitar bersama BPSDM Provinsi Jawa Timur");
    t.set_start_date("2022-03-14");
    t.set_end_date("2022-03-17");
    t.set_venue("Hotel Grand Mansion, Kota Blitar");
    t.add_facilitators("Widyaiswara BPSDM Jawa Timur");
    t.set_region_code("35.72");
    return t;
  }

  std::unique_ptr<SqlTrainingStore> store_;
  std::unique_ptr<TrainingRegistry> trainings_;
};

TEST_P(TrainingTest, ImportsParticipantsAndCountsTrainedStaffByAgency) {
  auto t = trainings_->Create(Diklat2022(), "t-1");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(trainings_->Create(Diklat2022(), "t-1")->id(), t->id());  // retry: same training

  auto imported = trainings_->ImportParticipants(t->region_code(), t->id(), BlitarParticipants(), "imp-1", kAdmin);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->added, 40);
  EXPECT_EQ(trainings_->ImportParticipants(t->region_code(), t->id(), BlitarParticipants(), "imp-1", kAdmin)->added,
            40);  // same answer
  auto again = trainings_->ImportParticipants(t->region_code(), t->id(), BlitarParticipants(), "imp-2", kAdmin);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->already_registered, 40);
  EXPECT_EQ(trainings_->Get(t->id())->participant_count(), 40);

  auto counts = trainings_->CountTrained("35.72", "2022-01-01", "2022-12-31");
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].agency(), "Dinas P3AP2KB");
  EXPECT_EQ((*counts)[0].count(), 18);
  EXPECT_EQ((*counts)[1].agency(), "Dinas Pendidikan");
  EXPECT_EQ((*counts)[2].agency(), "Dinas Kesehatan");
  EXPECT_EQ((*counts)[2].count(), 4);
  EXPECT_TRUE(trainings_->CountTrained("35.72", "2023-01-01", "2023-12-31")->empty());
  EXPECT_EQ(trainings_->List("35.72", 2022)->size(), 1u);
  EXPECT_TRUE(trainings_->List("35.05", 2022)->empty());
}

TEST_P(TrainingTest, OneBadRowRefusesTheWholeImportWithItsLine) {
  auto t = trainings_->Create(Diklat2022(), "t-1");
  ASSERT_TRUE(t.ok());
  std::string csv = BlitarParticipants();
  csv += "Orang Luar,Dinas Sosial,99.99,Staf\n";  // line 42
  auto r = trainings_->ImportParticipants(t->region_code(), t->id(), csv, "imp-1", kAdmin);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status())[0].field, "csv");
  EXPECT_THAT(GetFieldViolations(r.status())[0].description, HasSubstr("line 42: region 99.99 does not exist"));
  EXPECT_EQ(trainings_->Get(t->id())->participant_count(), 0);

  auto dup = trainings_->ImportParticipants(t->region_code(), t->id(),
                                            "name,agency,region_code\nA,B,35.72\nA,B,35.72\n", "imp-2", kAdmin);
  EXPECT_THAT(GetFieldViolations(dup.status())[0].description, HasSubstr("line 3: A appears twice"));
  EXPECT_EQ(trainings_->ImportParticipants("35.72", "nope", "name,agency,region_code\nA,B,35.72\n", "x", kAdmin)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(TrainingTest, AnImportTouchesOnlyRegionsWithinTheCallersReach) {
  auto t = trainings_->Create(Diklat2022(), "t-1");
  ASSERT_TRUE(t.ok());
  // Kota Blitar's operator tags one participant with Kabupaten Blitar: that
  // would change another region's trained-staff count.
  const std::string csv = BlitarParticipants() + "Orang Kabupaten,Dinas Sosial,35.05,Staf\n";  // line 42
  auto r = trainings_->ImportParticipants(t->region_code(), t->id(), csv, "imp-1",
                                          Caller(auth::Role::kRegionOperator, "35.72", "35"));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("line 42: region 35.05 is outside your reach"));
  EXPECT_EQ(trainings_->Get(t->id())->participant_count(), 0);
  EXPECT_TRUE(trainings_->Participants(t->region_code(), t->id())->empty());
  // The province's verifier reaches both kabupaten/kota of Blitar.
  auto prov = trainings_->ImportParticipants(t->region_code(), t->id(), csv, "imp-2",
                                             Caller(auth::Role::kProvinceVerifier, "", "35"));
  ASSERT_TRUE(prov.ok()) << prov.status();
  EXPECT_EQ(prov->added, 41);
}

TEST_P(TrainingTest, AFileSavedByExcelAsCsvUtf8Imports) {
  auto t = trainings_->Create(Diklat2022(), "t-1");
  ASSERT_TRUE(t.ok());
  auto r =
      trainings_->ImportParticipants(t->region_code(), t->id(), "\xEF\xBB\xBF" + BlitarParticipants(), "imp-1", kAdmin);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->added, 40);
}

TEST_P(TrainingTest, CreateValidatesEveryField) {
  v1::Training bad = Diklat2022();
  bad.set_end_date("2022-03-01");
  bad.set_title("");
  bad.set_region_code("Blitar");
  auto r = trainings_->Create(bad, "x");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status()).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Engines, TrainingTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
