#include "services/submission/domain/evidence.h"

#include <algorithm>
#include <regex>

#include "absl/strings/str_join.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/time.h"

namespace kla::submission {
namespace {

// Upload ids are the client's, but only within its kabupaten/kota: the key
// an upload is stored (and staged) under starts with the region code, so
// another region's id can neither be taken nor pre-empted.
std::string UploadKey(absl::string_view region_code, absl::string_view upload_id) {
  return absl::StrCat(region_code, "-", upload_id);
}
std::string UploadKey(const v1::UploadHeader& h) { return UploadKey(h.region_code(), h.upload_id()); }

const std::vector<std::string>& DefaultMediaTypes() {
  static const std::vector<std::string> kTypes = {"application/pdf", "image/jpeg", "image/png"};
  return kTypes;
}

bool SameFile(const v1::UploadHeader& a, const v1::UploadHeader& b) {
  return a.cycle_id() == b.cycle_id() && a.region_code() == b.region_code() && a.item_id() == b.item_id() &&
         a.file_name() == b.file_name() && a.media_type() == b.media_type() && a.size_bytes() == b.size_bytes() &&
         a.sha256() == b.sha256();
}

absl::Status ValidateHeader(const v1::UploadHeader& h, int64_t max_bytes) {
  static const std::regex kUploadId("[A-Za-z0-9._-]{1,128}");
  static const std::regex kSha("[0-9a-f]{64}");
  Violations v;
  if (!std::regex_match(h.upload_id(), kUploadId)) {
    v.Add("header.upload_id", "required: 1-128 characters of A-Z, a-z, 0-9, '.', '_', '-'");
  }
  if (const std::string problem = FileNameProblem(h.file_name()); !problem.empty()) {
    v.Add("header.file_name", problem);
  }
  if (h.size_bytes() <= 0 || h.size_bytes() > max_bytes) {
    v.Add("header.size_bytes", absl::StrCat("1 to ", max_bytes, " bytes (", max_bytes >> 20, " MiB)"));
  }
  if (!std::regex_match(h.sha256(), kSha)) v.Add("header.sha256", "required: 64 lowercase hex digits");
  if (h.offset() < 0) v.Add("header.offset", "0 or more");
  return v.ToStatus("invalid upload");
}

}  // namespace

absl::StatusOr<SubmissionContext> EvidenceFiles::Editable(const std::string& cycle_id, const std::string& region_code,
                                                          const auth::Principal& caller, Action action) {
  return steps_->Permitted(cycle_id, region_code, action, caller,
                           action == Action::kObject
                               ? "only the region's operator files objections and their evidence"
                               : "only the region's operator and OPD contributors change its evidence");
}

absl::Status EvidenceFiles::CheckFile(const v1::UploadHeader& h, const SubmissionContext& ctx) {
  const RulebookIndex::Item* item = ctx.rulebook->Find(h.item_id());
  if (item == nullptr) return InvalidField("header.item_id", absl::StrCat("no item \"", h.item_id(), "\""));
  const auto& listed = item->rule->evidence_media_types();
  const std::vector<std::string> allowed =
      listed.empty() ? DefaultMediaTypes() : std::vector<std::string>(listed.begin(), listed.end());
  if (std::find(allowed.begin(), allowed.end(), h.media_type()) == allowed.end()) {
    return InvalidField("header.media_type", absl::StrCat("item ", h.item_id(), " takes ", absl::StrJoin(allowed, ", "),
                                                          ", not \"", h.media_type(), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<UploadProgress>> EvidenceFiles::Record(const v1::UploadHeader& h,
                                                                    const auth::Principal& caller) {
  SubmissionStore* store = steps_->store();
  KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> existing, store->GetUpload(UploadKey(h)));
  if (!existing) {
    KLA_RETURN_IF_ERROR(CheckEvidenceQuota(h));
    UploadRecord record{UploadKey(h), h, caller.subject, "", false};
    record.header.set_offset(0);
    absl::Status st = store->CreateUpload(record);
    if (!st.ok() && st.code() != absl::StatusCode::kAlreadyExists) return st;
    return std::nullopt;
  }
  if (!SameFile(existing->header, h)) return InvalidField("header.upload_id", "already used for another file");
  if (existing->failed) {
    return InvalidField("header.upload_id", "this upload failed its SHA-256 check: start again with a new id");
  }
  if (existing->evidence_id.empty()) return std::nullopt;  // under way
  KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, store->GetEvidence(existing->evidence_id));
  if (!e) return absl::InternalError("completed upload without its evidence");
  return UploadProgress{h.size_bytes(), *e};  // done already: a retry
}

absl::StatusOr<UploadProgress> EvidenceFiles::BeginUpload(const v1::UploadHeader& h, const auth::Principal& caller) {
  KLA_RETURN_IF_ERROR(ValidateHeader(h, limits_.max_evidence_bytes));
  const bool for_objection = h.purpose() == v1::EVIDENCE_PURPOSE_OBJECTION;
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, Editable(h.cycle_id(), h.region_code(), caller,
                                                       for_objection ? Action::kObject : Action::kEdit));
  KLA_RETURN_IF_ERROR(CheckFile(h, ctx));
  KLA_ASSIGN_OR_RETURN(std::optional<UploadProgress> finished, Record(h, caller));
  if (finished) return *finished;
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(UploadKey(h)));
  if (h.offset() != received) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "the server holds ", received, " bytes of this upload: resume from offset ", received)),
                      "UPLOAD_OFFSET_MISMATCH", {{"offset", std::to_string(received)}});
  }
  if (received == h.size_bytes()) return FinishUpload(h, caller);  // every byte arrived before a restart
  return UploadProgress{received, std::nullopt};
}

absl::Status EvidenceFiles::CheckEvidenceQuota(const v1::UploadHeader& h) {
  const absl::Time fresh = steps_->Now() - limits_.staged_upload_lifetime;
  KLA_ASSIGN_OR_RETURN(std::vector<UploadRecord> open, steps_->store()->OpenUploads(h.region_code()));
  std::erase_if(open, [&](const UploadRecord& u) { return u.created < fresh; });  // expiring anyway
  if (static_cast<int>(open.size()) >= limits_.max_open_uploads_per_region) {
    return WithReason(absl::ResourceExhaustedError(
                          absl::StrCat("region ", h.region_code(), " already has ", open.size(),
                                       " uploads under way: finish them first (unfinished uploads are removed after ",
                                       absl::FormatDuration(limits_.staged_upload_lifetime), ")")),
                      "TOO_MANY_OPEN_UPLOADS", {{"open", std::to_string(open.size())}});
  }
  int64_t used = h.size_bytes();
  for (const UploadRecord& u : open) {
    if (u.header.cycle_id() == h.cycle_id()) used += u.header.size_bytes();
  }
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Evidence> stored,
                       steps_->store()->ListEvidence(h.cycle_id(), h.region_code(), ""));
  if (static_cast<int>(stored.size()) >= limits_.max_evidence_files_per_region) {
    return WithReason(
        absl::ResourceExhaustedError(absl::StrCat("region ", h.region_code(), " already holds ", stored.size(),
                                                  " evidence files in cycle ", h.cycle_id(), ", the most it may")),
        "TOO_MANY_EVIDENCE_FILES", {{"files", std::to_string(stored.size())}});
  }
  for (const v1::Evidence& e : stored) used += e.size_bytes();
  if (used > limits_.region_evidence_quota_bytes) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat(
                          "this file would take the evidence of region ", h.region_code(), " in cycle ", h.cycle_id(),
                          " to ", used >> 20, " MiB, over its quota of ", limits_.region_evidence_quota_bytes >> 20,
                          " MiB; the ministry can raise the quota")),
                      "EVIDENCE_QUOTA_EXCEEDED",
                      {{"quota_mib", std::to_string(limits_.region_evidence_quota_bytes >> 20)}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int> EvidenceFiles::ExpireStagedUploads(int limit) {
  KLA_ASSIGN_OR_RETURN(std::vector<UploadRecord> stale,
                       steps_->store()->StaleUploads(steps_->Now() - limits_.staged_upload_lifetime, limit));
  for (const UploadRecord& u : stale) {
    // Bytes first: a crash in between leaves a record without bytes, which
    // the next pass removes; never bytes no record points to.
    KLA_RETURN_IF_ERROR(blobs_->Discard(u.key));
    KLA_RETURN_IF_ERROR(steps_->store()->DeleteUpload(u.key));
  }
  return static_cast<int>(stale.size());
}

absl::StatusOr<UploadProgress> EvidenceFiles::AppendChunk(const v1::UploadHeader& h, absl::string_view bytes,
                                                          const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(UploadKey(h)));
  if (received + static_cast<int64_t>(bytes.size()) > h.size_bytes()) {
    KLA_RETURN_IF_ERROR(blobs_->Discard(UploadKey(h)));
    KLA_RETURN_IF_ERROR(steps_->store()->FailUpload(UploadKey(h)));
    return InvalidField("chunk", absl::StrCat("more bytes than the ", h.size_bytes(), " announced: nothing was kept"));
  }
  KLA_ASSIGN_OR_RETURN(const int64_t now_held, blobs_->Append(UploadKey(h), bytes));
  if (now_held == h.size_bytes()) return FinishUpload(h, caller);
  return UploadProgress{now_held, std::nullopt};
}

absl::StatusOr<UploadProgress> EvidenceFiles::FinishUpload(const v1::UploadHeader& h, const auth::Principal& caller) {
  SubmissionStore* store = steps_->store();
  KLA_ASSIGN_OR_RETURN(const std::string digest, blobs_->StagedDigest(UploadKey(h)));
  if (digest != h.sha256()) {
    KLA_RETURN_IF_ERROR(blobs_->Discard(UploadKey(h)));
    KLA_RETURN_IF_ERROR(store->FailUpload(UploadKey(h)));
    return InvalidField("header.sha256", absl::StrCat("the bytes received hash to ", digest, ", not the announced ",
                                                      h.sha256(), ": nothing was kept; upload again"));
  }
  KLA_RETURN_IF_ERROR(blobs_->Promote(UploadKey(h), digest));
  const absl::Time now = steps_->Now();
  v1::Evidence e;
  e.set_evidence_id(NewUuid());
  e.set_cycle_id(h.cycle_id());
  e.set_region_code(h.region_code());
  e.set_item_id(h.item_id());
  e.set_file_name(h.file_name());
  e.set_media_type(h.media_type());
  e.set_size_bytes(h.size_bytes());
  e.set_sha256(digest);
  e.set_uploaded_by(caller.subject);
  *e.mutable_upload_time() = ToProtoTime(now);
  // Objection evidence supports the objection, not the answer.
  const bool for_objection = h.purpose() == v1::EVIDENCE_PURPOSE_OBJECTION;
  e.set_purpose(for_objection ? v1::EVIDENCE_PURPOSE_OBJECTION : v1::EVIDENCE_PURPOSE_ANSWER);
  e.set_attached(!for_objection);
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_EVIDENCE_ATTACHED, h.item_id(), type::v1::STAGE_SELF_EVALUATION,
                               caller.subject, now, h.upload_id());
  entry.set_detail(absl::StrCat(e.evidence_id(), " ", h.file_name(), for_objection ? " (sanggah)" : ""));
  absl::Status st = store->CompleteUpload(UploadKey(h), e, entry);
  if (st.code() == absl::StatusCode::kAborted) {  // a concurrent stream of the same upload finished first
    KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> done, store->GetUpload(UploadKey(h)));
    if (done && !done->evidence_id.empty()) {
      KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> first, store->GetEvidence(done->evidence_id));
      if (first) return UploadProgress{h.size_bytes(), *first};
    }
  }
  KLA_RETURN_IF_ERROR(st);
  return UploadProgress{h.size_bytes(), e};
}

absl::StatusOr<UploadProgress> EvidenceFiles::UploadStatus(const std::string& upload_id,
                                                           const std::string& region_code) {
  const std::string key = UploadKey(region_code, upload_id);
  KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> u, steps_->store()->GetUpload(key));
  if (!u || u->header.region_code() != region_code) return NotFound("upload", upload_id);
  if (!u->evidence_id.empty()) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, steps_->store()->GetEvidence(u->evidence_id));
    if (e) return UploadProgress{.received = u->header.size_bytes(), .evidence = *e, .header = u->header};
  }
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(key));
  return UploadProgress{
      .received = received, .header = u->header, .expire_time = u->created + limits_.staged_upload_lifetime};
}

absl::StatusOr<std::vector<v1::Evidence>> EvidenceFiles::List(const std::string& cycle_id,
                                                              const std::string& region_code,
                                                              const std::string& item_id) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  return steps_->store()->ListEvidence(cycle_id, region_code, item_id);
}

absl::StatusOr<v1::Evidence> EvidenceFiles::Get(const std::string& cycle_id, const std::string& region_code,
                                                const std::string& evidence_id) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  if (evidence_id.empty()) return InvalidField("evidence_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, steps_->store()->GetEvidence(evidence_id));
  // Another region's evidence is as good as missing to this caller.
  if (!e || e->cycle_id() != cycle_id || e->region_code() != region_code) return NotFound("evidence", evidence_id);
  return *e;
}

absl::StatusOr<std::string> EvidenceFiles::Read(const v1::Evidence& evidence, int64_t offset, int64_t max) {
  return blobs_->Read(evidence.sha256(), offset, max);
}

absl::StatusOr<v1::Evidence> EvidenceFiles::Detach(const std::string& request_id, const std::string& cycle_id,
                                                   const std::string& region_code, const std::string& evidence_id,
                                                   const auth::Principal& caller) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id that makes retries safe");
  KLA_ASSIGN_OR_RETURN(v1::Evidence e, Get(cycle_id, region_code, evidence_id));
  if (!e.attached()) return e;  // a retry, or detached already
  KLA_RETURN_IF_ERROR(Editable(cycle_id, region_code, caller).status());
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_EVIDENCE_DETACHED, e.item_id(), type::v1::STAGE_SELF_EVALUATION,
                               caller.subject, steps_->Now(), request_id);
  entry.set_detail(absl::StrCat(e.evidence_id(), " ", e.file_name()));
  KLA_RETURN_IF_ERROR(steps_->store()->DetachEvidence(evidence_id, entry));
  e.set_attached(false);
  return e;
}

}  // namespace kla::submission
