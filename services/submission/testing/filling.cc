#include "services/submission/testing/filling.h"

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/testing/auth.h"

namespace kla::testing {
namespace {

namespace regv1 = registry::v1;
namespace subv1 = submission::v1;

absl::Status Failed(absl::string_view call, const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), absl::StrCat(call, ": ", s.error_message()));
}

}  // namespace

absl::StatusOr<std::string> UploadSmallEvidence(subv1::SubmissionService::Stub* stub, const std::string& token,
                                                const std::string& cycle_id, const std::string& region_code,
                                                const std::string& item_id, subv1::EvidencePurpose purpose) {
  const std::string content = absl::StrCat("%PDF-1.4 data dukung ", region_code, " ", item_id);
  auto ctx = AuthedContext(token);
  subv1::UploadEvidenceResponse resp;
  auto writer = stub->UploadEvidence(ctx.get(), &resp);
  subv1::UploadEvidenceRequest head;
  auto* h = head.mutable_header();
  h->set_upload_id(absl::StrCat(purpose == subv1::EVIDENCE_PURPOSE_OBJECTION ? "sanggah-" : "ev-", item_id));
  h->set_purpose(purpose);
  h->set_cycle_id(cycle_id);
  h->set_region_code(region_code);
  h->set_item_id(item_id);
  h->set_file_name(absl::StrCat(item_id, " data dukung.pdf"));
  h->set_media_type("application/pdf");
  h->set_size_bytes(static_cast<int64_t>(content.size()));
  h->set_sha256(Sha256Hex(content));
  subv1::UploadEvidenceRequest chunk;
  chunk.set_chunk(content);
  writer->Write(head);
  writer->Write(chunk);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return Failed(absl::StrCat("UploadEvidence ", item_id), s);
  if (!resp.has_evidence()) return absl::InternalError(absl::StrCat("UploadEvidence ", item_id, ": not complete"));
  return resp.evidence().evidence_id();
}

subv1::AnswerValue BestValue(const regv1::ItemRule& item) {
  subv1::AnswerValue v;
  switch (item.type()) {
    case regv1::ITEM_TYPE_BOOLEAN:
      v.set_boolean(true);
      break;
    case regv1::ITEM_TYPE_CHOICE: {
      const regv1::ChoiceOption* best = &item.options(0);
      for (const auto& o : item.options()) {
        if (o.share_percent() > best->share_percent()) best = &o;
      }
      v.set_choice(best->id());
      break;
    }
    case regv1::ITEM_TYPE_PERCENT:
      v.set_percent_hundredths(10000);
      break;
    case regv1::ITEM_TYPE_COUNT:
      v.set_count(item.steps_size() > 0 ? item.steps(item.steps_size() - 1).min_hundredths() / 100 + 1 : 5);
      break;
    default:
      v.set_text("Tersedia, lihat data dukung");
  }
  return v;
}

subv1::AnswerValue WorstValue(const regv1::ItemRule& item) {
  subv1::AnswerValue v = BestValue(item);
  switch (item.type()) {
    case regv1::ITEM_TYPE_BOOLEAN:
      v.set_boolean(false);
      break;
    case regv1::ITEM_TYPE_CHOICE:
      for (const auto& o : item.options()) {
        if (o.share_percent() == 0) v.set_choice(o.id());
      }
      break;
    case regv1::ITEM_TYPE_PERCENT:
      v.set_percent_hundredths(0);
      break;
    case regv1::ITEM_TYPE_COUNT:
      v.set_count(0);
      break;
    default:
      break;
  }
  return v;
}

std::vector<std::vector<subv1::Answer>> AllAnswers(
    const regv1::Rulebook& rulebook, size_t batch,
    const std::function<subv1::AnswerValue(const regv1::ItemRule&)>& value) {
  std::vector<std::vector<subv1::Answer>> out(1);
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) {
      if (out.back().size() == batch) out.emplace_back();
      subv1::Answer a;
      a.set_item_id(item.id());
      *a.mutable_value() = value(item);
      out.back().push_back(a);
    }
  }
  return out;
}

absl::StatusOr<subv1::Submission> FillAndSubmit(
    subv1::SubmissionService::Stub* stub, const std::string& token, const std::string& cycle_id,
    const std::string& region_code, const regv1::Rulebook& rulebook,
    const std::function<subv1::AnswerValue(const regv1::ItemRule&)>& value) {
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& item : ind.items()) {
      if (!item.evidence_required()) continue;
      auto uploaded = UploadSmallEvidence(stub, token, cycle_id, region_code, item.id());
      if (!uploaded.ok()) return uploaded.status();
    }
  }
  subv1::GetSubmissionRequest get;
  get.set_cycle_id(cycle_id);
  get.set_region_code(region_code);
  subv1::GetSubmissionResponse current;
  if (grpc::Status s = stub->GetSubmission(AuthedContext(token).get(), get, &current); !s.ok()) {
    return Failed("GetSubmission", s);
  }
  subv1::SaveAnswersRequest save;
  save.set_request_id(absl::StrCat("fill-", region_code));
  save.set_etag(current.submission().etag());
  save.set_cycle_id(cycle_id);
  save.set_region_code(region_code);
  for (auto& batch : AllAnswers(rulebook, 1000, value)) {
    for (auto& a : batch) *save.add_answers() = std::move(a);
  }
  subv1::SaveAnswersResponse saved;
  if (grpc::Status s = stub->SaveAnswers(AuthedContext(token).get(), save, &saved); !s.ok()) {
    return Failed("SaveAnswers", s);
  }
  subv1::SubmitSubmissionRequest submit;
  submit.set_request_id(absl::StrCat("submit-", region_code));
  submit.set_cycle_id(cycle_id);
  submit.set_region_code(region_code);
  submit.set_etag(saved.submission().etag());
  subv1::SubmitSubmissionResponse sent;
  if (grpc::Status s = stub->SubmitSubmission(AuthedContext(token).get(), submit, &sent); !s.ok()) {
    return Failed("SubmitSubmission", s);
  }
  return sent.submission();
}

}  // namespace kla::testing
