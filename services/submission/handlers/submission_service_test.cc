// In-process server tests: the whole suite (registry and submission talk
// over gRPC with their own tokens) on SQLite, with an injected business
// clock, called as the roles that use it.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/server/testing/in_process_suite.h"
#include "services/submission/storage/local_blob_store.h"
#include "services/submission/testing/filling.h"

namespace kla::submission {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;
namespace regv1 = registry::v1;

using testing::WorstValue;

class SubmissionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    auto suite = testing::InProcessSuite::Start({.clock = &clock_});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    tokens_ = std::make_unique<testing::TestTokens>(&suite_->suite().verifier(), &clock_);
    auto channel = suite_->channel();
    registry_ = regv1::RegistryService::NewStub(channel);
    stub_ = v1::SubmissionService::NewStub(channel);

    const absl::Time t = clock_.Now();
    const int days[][2] = {{-1, 10}, {11, 20}, {21, 30}, {31, 40}, {41, 45}, {46, 55}};
    auto made = testing::CreateCycleOnDefaultRulebook(
        channel, tokens_->Admin(), "2025",
        [&](int i) { return std::make_pair(t + absl::Hours(24 * days[i][0]), t + absl::Hours(24 * days[i][1])); },
        t + absl::Hours(24 * 60));
    ASSERT_TRUE(made.ok()) << made.status();
    rulebook_ = made->rulebook;
  }

  std::unique_ptr<grpc::ClientContext> Admin() { return testing::AuthedContext(tokens_->Admin()); }
  std::unique_ptr<grpc::ClientContext> As(const auth::Principal& who) {
    return testing::AuthedContext(tokens_->For(who));
  }

  std::vector<std::vector<v1::Answer>> AllAnswers(size_t batch) { return testing::AllAnswers(rulebook_, batch); }

  grpc::Status Save(const auth::Principal& who, const std::string& request_id, const std::string& etag,
                    const std::vector<v1::Answer>& answers, v1::SaveAnswersResponse* resp) {
    v1::SaveAnswersRequest req;
    req.set_request_id(request_id);
    req.set_cycle_id("2025");
    req.set_region_code("35.72");
    req.set_etag(etag);
    for (const auto& a : answers) *req.add_answers() = a;
    return stub_->SaveAnswers(As(who).get(), req, resp);
  }

  // Uploads `content` for `item` over a client stream, from `offset`, in
  // chunks of `chunk` bytes, stopping (as if the connection dropped) after
  // `stop_after` bytes when given.
  grpc::Status Upload(const std::string& upload_id, const std::string& item, const std::string& content,
                      v1::UploadEvidenceResponse* resp, int64_t offset = 0, size_t chunk = 64 * 1024,
                      int64_t stop_after = -1) {
    auto ctx = As(op_);
    auto writer = stub_->UploadEvidence(ctx.get(), resp);
    v1::UploadEvidenceRequest head;
    auto* h = head.mutable_header();
    h->set_upload_id(upload_id);
    h->set_cycle_id("2025");
    h->set_region_code("35.72");
    h->set_item_id(item);
    h->set_file_name(item + " data dukung.pdf");
    h->set_media_type("application/pdf");
    h->set_size_bytes(static_cast<int64_t>(content.size()));
    h->set_sha256(Sha256Hex(content));
    h->set_offset(offset);
    writer->Write(head);
    for (int64_t at = offset; at < static_cast<int64_t>(content.size());) {
      if (stop_after >= 0 && at >= offset + stop_after) break;
      v1::UploadEvidenceRequest part;
      part.set_chunk(content.substr(static_cast<size_t>(at), chunk));
      at += static_cast<int64_t>(part.chunk().size());
      if (!writer->Write(part)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }
  static std::string Sha256Hex(const std::string& content) {
    testing::TempDir tmp;
    std::ofstream(tmp.path() + "/f", std::ios::binary) << content;
    return *FileSha256(tmp.path() + "/f");
  }
  // Evidence for every item that requires it.
  void UploadAllRequiredEvidence() {
    for (const auto& ind : rulebook_.indicators()) {
      for (const auto& item : ind.items()) {
        if (!item.evidence_required()) continue;
        v1::UploadEvidenceResponse resp;
        const std::string content = "%PDF-1.4 data dukung " + item.id();
        grpc::Status s = Upload("ev-" + item.id(), item.id(), content, &resp);
        ASSERT_TRUE(s.ok()) << item.id() << ": " << s.error_message();
        ASSERT_TRUE(resp.has_evidence()) << item.id();
      }
    }
  }

  FakeClock clock_;
  std::unique_ptr<testing::InProcessSuite> suite_;
  std::unique_ptr<testing::TestTokens> tokens_;
  std::unique_ptr<regv1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::SubmissionService::Stub> stub_;
  regv1::Rulebook rulebook_;
  const auth::Principal op_ = testing::TestTokens::Operator("35.72");
  const auth::Principal prov_ = testing::TestTokens::ProvinceVerifier("35");
};

TEST_F(SubmissionServiceTest, KotaBlitarFillsSubmitsAndItsProvinceVerifies) {
  v1::GetSubmissionRequest get;
  get.set_cycle_id("2025");
  get.set_region_code("35.72");
  v1::GetSubmissionResponse got;
  ASSERT_TRUE(stub_->GetSubmission(As(op_).get(), get, &got).ok());
  EXPECT_EQ(got.submission().state(), v1::SUBMISSION_STATE_DRAFT);
  EXPECT_EQ(got.submission().progress().required(), 77);
  EXPECT_TRUE(got.submission().allowed().may_edit());
  // Kabupaten Blitar's operator cannot even read it.
  EXPECT_EQ(stub_->GetSubmission(As(testing::TestTokens::Operator("35.05")).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  const auto batches = AllAnswers(30);
  ASSERT_EQ(batches.size(), 3U);
  v1::SaveAnswersResponse saved;
  ASSERT_TRUE(Save(op_, "b1", "", batches[0], &saved).ok());
  std::string etag = saved.submission().etag();
  v1::SaveAnswersResponse stale;
  EXPECT_EQ(
      Save(testing::TestTokens::Contributor("35.72", "Dinas Kesehatan"), "c1", "", batches[1], &stale).error_code(),
      grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Save(op_, "b2", etag, batches[1], &saved).ok());
  etag = saved.submission().etag();

  // Incomplete: every missing item comes back as a precondition violation.
  v1::SubmitSubmissionRequest submit;
  submit.set_request_id("send-1");
  submit.set_cycle_id("2025");
  submit.set_region_code("35.72");
  submit.set_etag(etag);
  v1::SubmitSubmissionResponse sent;
  grpc::Status s = stub_->SubmitSubmission(As(op_).get(), submit, &sent);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::PreconditionFailure missing;
  ASSERT_TRUE(details.details(0).UnpackTo(&missing));
  int missing_answers = 0;
  for (const auto& v : missing.violations()) missing_answers += v.type() == "MISSING_ANSWER" ? 1 : 0;
  EXPECT_EQ(missing_answers, static_cast<int>(batches[2].size()));
  // Then the evidence, as many as fit in a trailer; the message has the counts.
  EXPECT_GT(missing.violations_size(), missing_answers);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat(batches[2].size(), " of 77 items not answered, 76 without the evidence")));
  EXPECT_EQ(missing.violations(0).type(), "MISSING_ANSWER");
  EXPECT_EQ(missing.violations(0).subject(), batches[2][0].item_id());

  // A bad value names its item.
  std::vector<v1::Answer> bad = {batches[2][0]};
  bad[0].mutable_value()->set_percent_hundredths(14000);
  s = Save(op_, "bad", etag, bad, &saved);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("invalid answers"));

  ASSERT_TRUE(Save(op_, "b3", etag, batches[2], &saved).ok());
  submit.set_request_id("send-e");
  submit.set_etag(saved.submission().etag());
  s = stub_->SubmitSubmission(As(op_).get(), submit, &sent);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // every answer, but no evidence yet
  EXPECT_THAT(s.error_message(), HasSubstr("0 of 77 items not answered, 76 without"));
  UploadAllRequiredEvidence();
  submit.set_request_id("send-2");
  submit.set_etag(saved.submission().etag());
  s = stub_->SubmitSubmission(As(op_).get(), submit, &sent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(sent.submission().stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);

  // The provincial window has not opened yet.
  v1::VerifySubmissionRequest verify;
  verify.set_request_id("v1");
  verify.set_cycle_id("2025");
  verify.set_region_code("35.72");
  verify.set_etag(sent.submission().etag());
  v1::VerifySubmissionResponse verified;
  s = stub_->VerifySubmission(As(prov_).get(), verify, &verified);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("this phase opens at"));
  // Another province's verifier is refused by the access rules.
  EXPECT_EQ(
      stub_->VerifySubmission(As(testing::TestTokens::ProvinceVerifier("61")).get(), verify, &verified).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  clock_.Advance(absl::Hours(24 * 12));
  tokens_ = std::make_unique<testing::TestTokens>(&suite_->suite().verifier(), &clock_);  // tokens at the new time
  auto* adj = verify.add_adjustments();
  adj->set_item_id(batches[0][0].item_id());
  *adj->mutable_value() = WorstValue(rulebook_.indicators(0).items(0));
  adj->set_reason("SK Gugus Tugas kedaluwarsa");
  s = stub_->VerifySubmission(As(prov_).get(), verify, &verified);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(verified.submission().stage(), type::v1::STAGE_CENTRAL_REVIEW);
  EXPECT_EQ(verified.completed().stage(), type::v1::STAGE_PROVINCIAL_VERIFICATION);

  v1::GetStageAnswersRequest stage;
  stage.set_cycle_id("2025");
  stage.set_region_code("35.72");
  stage.set_stage(type::v1::STAGE_PROVINCIAL_VERIFICATION);
  v1::GetStageAnswersResponse answers;
  ASSERT_TRUE(stub_->GetStageAnswers(As(op_).get(), stage, &answers).ok());
  EXPECT_EQ(answers.answers().answers_size(), 77);
  EXPECT_EQ(answers.answers().answers(0).value().SerializeAsString(),
            WorstValue(rulebook_.indicators(0).items(0)).SerializeAsString());

  v1::ListAuditEntriesRequest audit;
  audit.set_cycle_id("2025");
  audit.set_region_code("35.72");
  audit.set_item_id(batches[0][0].item_id());
  v1::ListAuditEntriesResponse trail;
  ASSERT_TRUE(stub_->ListAuditEntries(As(prov_).get(), audit, &trail).ok());
  ASSERT_EQ(trail.entries_size(), 3);  // answered, evidence attached, adjusted
  EXPECT_EQ(trail.entries(0).action(), v1::AUDIT_ACTION_ANSWER_SAVED);
  EXPECT_EQ(trail.entries(0).actor(), "op-35.72");
  EXPECT_EQ(trail.entries(1).action(), v1::AUDIT_ACTION_EVIDENCE_ATTACHED);
  EXPECT_EQ(trail.entries(2).actor(), "verifier-35");
  EXPECT_EQ(trail.entries(2).detail(), "SK Gugus Tugas kedaluwarsa");
}

TEST_F(SubmissionServiceTest, AnUploadInterruptedMidwayResumesAndDownloadsWhole) {
  std::string content;
  for (int i = 0; i < 700 * 1024; ++i) content += static_cast<char>(i * 7 % 251);
  const std::string item = rulebook_.indicators(0).items(0).id();
  v1::UploadEvidenceResponse first;
  // The connection drops after 256 KiB.
  ASSERT_TRUE(Upload("big", item, content, &first, 0, 64 * 1024, 256 * 1024).ok());
  EXPECT_EQ(first.received_bytes(), 256 * 1024);
  EXPECT_FALSE(first.has_evidence());
  v1::GetUploadStatusRequest status;
  status.set_upload_id("big");
  status.set_region_code("35.72");
  v1::UploadEvidenceResponse where;
  ASSERT_TRUE(stub_->GetUploadStatus(As(op_).get(), status, &where).ok());
  EXPECT_EQ(where.received_bytes(), 256 * 1024);
  // What a client that kept only the id needs to resume: the header as
  // announced, and until when the server keeps the bytes.
  EXPECT_EQ(where.header().upload_id(), "big");
  EXPECT_EQ(where.header().size_bytes(), static_cast<int64_t>(content.size()));
  EXPECT_EQ(where.header().offset(), 0);
  EXPECT_GT(where.expire_time().seconds(), 0);
  v1::UploadEvidenceResponse wrong;
  grpc::Status s = Upload("big", item, content, &wrong, 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("resume from offset 262144"));
  v1::UploadEvidenceResponse done;
  s = Upload("big", item, content, &done, where.received_bytes());
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(done.has_evidence());
  EXPECT_EQ(done.evidence().size_bytes(), static_cast<int64_t>(content.size()));

  // Anyone who may read the submission downloads it whole.
  v1::DownloadEvidenceRequest get;
  get.set_cycle_id("2025");
  get.set_region_code("35.72");
  get.set_evidence_id(done.evidence().evidence_id());
  auto ctx = As(prov_);
  auto reader = stub_->DownloadEvidence(ctx.get(), get);
  v1::DownloadEvidenceResponse part;
  std::string got;
  ASSERT_TRUE(reader->Read(&part));
  EXPECT_EQ(part.evidence().sha256(), Sha256Hex(content));
  while (reader->Read(&part)) got += part.chunk();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(got, content);

  // A file whose bytes do not match the announced SHA-256 is refused.
  v1::UploadEvidenceResponse bad;
  auto bctx = As(op_);
  auto writer = stub_->UploadEvidence(bctx.get(), &bad);
  v1::UploadEvidenceRequest head;
  auto* h = head.mutable_header();
  h->set_upload_id("bad");
  h->set_cycle_id("2025");
  h->set_region_code("35.72");
  h->set_item_id(item);
  h->set_file_name("palsu.pdf");
  h->set_media_type("application/pdf");
  h->set_size_bytes(4);
  h->set_sha256(Sha256Hex("asli"));
  writer->Write(head);
  v1::UploadEvidenceRequest chunk;
  chunk.set_chunk("lain");
  writer->Write(chunk);
  writer->WritesDone();
  s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("nothing was kept"));
  // Another region's operator cannot upload into Kota Blitar's submission.
  v1::UploadEvidenceResponse other;
  auto octx = As(testing::TestTokens::Operator("35.05"));
  auto owriter = stub_->UploadEvidence(octx.get(), &other);
  h->set_upload_id("other");
  owriter->Write(head);
  owriter->WritesDone();
  EXPECT_EQ(owriter->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kla::submission
