#include "services/submission/storage/sql_submission_store.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/region_code.h"

namespace kla::submission {
namespace {

using storage::Result;
using storage::Row;
using storage::Session;
using storage::Value;

std::string Stored(const v1::Submission& s) {
  v1::Submission copy = s;
  copy.clear_etag();
  copy.clear_progress();
  copy.clear_allowed();
  for (auto& a : *copy.mutable_answers()) a.clear_evidence_ids();  // derived from the evidence table
  return copy.SerializeAsString();
}

// Appends entries to a submission's trail with the next sequence numbers.
absl::Status AppendAudit(Session& tx, const std::string& cycle_id, const std::string& region_code,
                         const std::vector<v1::AuditEntry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  KLA_ASSIGN_OR_RETURN(Result last, tx.Execute("SELECT COALESCE(MAX(sequence), 0) FROM submission_audit"
                                               " WHERE cycle_id = ? AND region_code = ?",
                                               {cycle_id, region_code}));
  int64_t seq = last.rows[0].Int(0);
  for (v1::AuditEntry e : entries) {
    e.set_sequence(++seq);
    KLA_RETURN_IF_ERROR(tx.Execute("INSERT INTO submission_audit (cycle_id, region_code, sequence, item_id, content)"
                                   " VALUES (?, ?, ?, ?, ?)",
                                   {cycle_id, region_code, seq, e.item_id(), storage::Blob(e.SerializeAsString())})
                            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Evidence> EvidenceFromRow(const Row& row) {
  v1::Evidence e;
  if (!e.ParseFromString(row.Text(0))) return absl::DataLossError("stored evidence unreadable");
  e.set_attached(row.Int(1) != 0);
  return e;
}

absl::StatusOr<StoredSubmission> FromRow(const Row& row) {
  StoredSubmission s;
  if (!s.submission.ParseFromString(row.Text(0))) return absl::DataLossError("stored submission unreadable");
  s.version = row.Int(1);
  return s;
}

}  // namespace

absl::StatusOr<std::optional<StoredSubmission>> SqlSubmissionStore::Get(const std::string& cycle_id,
                                                                        const std::string& region_code) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT content, version FROM submission_submissions"
                                              " WHERE cycle_id = ? AND region_code = ?",
                                              {cycle_id, region_code}));
  if (r.rows.empty()) return std::nullopt;
  return FromRow(r.rows[0]);
}

absl::Status SqlSubmissionStore::Commit(const SubmissionChange& change) {
  const v1::Submission& s = change.next.submission;
  const int64_t expected = change.next.version;
  const int64_t now = storage::ToMicros(clock_->Now());
  bool enqueued = false;
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    if (expected == 0) {
      absl::Status ins =
          tx.Execute(
                "INSERT INTO submission_submissions (cycle_id, region_code, province_code, state, stage,"
                " version, content, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                {s.cycle_id(), s.region_code(), ProvinceOf(s.region_code()), static_cast<int64_t>(s.state()),
                 static_cast<int64_t>(s.stage()), storage::Blob(Stored(s)), now})
              .status();
      if (ins.code() == absl::StatusCode::kAlreadyExists) {
        return StaleEtag("the submission was started by someone else meanwhile: read it again");
      }
      KLA_RETURN_IF_ERROR(ins);
    } else {
      KLA_ASSIGN_OR_RETURN(Result r,
                           tx.Execute("UPDATE submission_submissions SET state = ?, stage = ?,"
                                      " version = version + 1, content = ?, updated_at = ?"
                                      " WHERE cycle_id = ? AND region_code = ? AND version = ?",
                                      {static_cast<int64_t>(s.state()), static_cast<int64_t>(s.stage()),
                                       storage::Blob(Stored(s)), now, s.cycle_id(), s.region_code(), expected}));
      if (r.affected_rows != 1) {
        return StaleEtag("the submission was changed by someone else meanwhile: read it again");
      }
    }
    KLA_RETURN_IF_ERROR(AppendAudit(tx, s.cycle_id(), s.region_code(), change.audit));
    const std::optional<v1::StageAnswers>& stage = change.stage_answers;
    if (stage) {
      KLA_RETURN_IF_ERROR(tx.Execute("INSERT INTO submission_stage_answers (cycle_id, region_code, stage, revision,"
                                     " content) VALUES (?, ?, ?, ?, ?) ON CONFLICT (cycle_id, region_code, stage)"
                                     " DO UPDATE SET revision = excluded.revision, content = excluded.content",
                                     {s.cycle_id(), s.region_code(), static_cast<int64_t>(stage->stage()),
                                      stage->revision(), storage::Blob(stage->SerializeAsString())})
                              .status());
    }
    for (const OutgoingEvent& e : change.events) {
      KLA_RETURN_IF_ERROR(outbox_->Enqueue(tx, e.target, *e.payload).status());
      enqueued = true;
    }
    const v1::Submission& result = s;  // with the etag the domain gave it
    return tx
        .Execute(
            "INSERT INTO submission_requests (request_id, fingerprint, submission, stage_answers, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            {change.request_id, change.request_fingerprint, storage::Blob(result.SerializeAsString()),
             stage ? Value(storage::Blob(stage->SerializeAsString())) : storage::Null(), now})
        .status();
  });
  if (st.ok() && enqueued && committed_) committed_();
  return st;
}

absl::StatusOr<std::optional<RecordedRequest>> SqlSubmissionStore::FindRequest(const std::string& request_id) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT fingerprint, submission, stage_answers FROM submission_requests"
                                              " WHERE request_id = ?",
                                              {request_id}));
  if (r.rows.empty()) return std::nullopt;
  RecordedRequest out;
  out.fingerprint = r.rows[0].Text(0);
  if (!out.submission.ParseFromString(r.rows[0].Text(1))) return absl::DataLossError("stored request unreadable");
  if (!r.rows[0].IsNull(2)) {
    v1::StageAnswers stage;
    if (!stage.ParseFromString(r.rows[0].Text(2))) return absl::DataLossError("stored request unreadable");
    out.stage_answers = std::move(stage);
  }
  return out;
}

absl::StatusOr<std::vector<StoredSubmission>> SqlSubmissionStore::List(const SubmissionFilter& filter,
                                                                       const std::string& after, int limit) {
  std::string sql = "SELECT content, version FROM submission_submissions WHERE cycle_id = ? AND region_code > ?";
  std::vector<Value> params = {filter.cycle_id, after};
  if (!filter.province_code.empty()) {
    sql += " AND province_code = ?";
    params.emplace_back(filter.province_code);
  }
  if (filter.state != v1::SUBMISSION_STATE_UNSPECIFIED) {
    sql += " AND state = ?";
    params.emplace_back(static_cast<int64_t>(filter.state));
  }
  sql += " ORDER BY region_code LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit));
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<StoredSubmission> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(StoredSubmission s, FromRow(row));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::optional<v1::StageAnswers>> SqlSubmissionStore::GetStage(const std::string& cycle_id,
                                                                             const std::string& region_code,
                                                                             type::v1::Stage stage) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT content FROM submission_stage_answers"
                                              " WHERE cycle_id = ? AND region_code = ? AND stage = ?",
                                              {cycle_id, region_code, static_cast<int64_t>(stage)}));
  if (r.rows.empty()) return std::nullopt;
  v1::StageAnswers out;
  if (!out.ParseFromString(r.rows[0].Text(0))) return absl::DataLossError("stored stage answers unreadable");
  return out;
}

namespace {

constexpr char kUploadColumns[] =
    "SELECT upload_id, header, uploaded_by, evidence_id, failed, created_at FROM submission_uploads";

absl::StatusOr<UploadRecord> UploadFromRow(const Row& row) {
  UploadRecord u;
  u.key = row.Text(0);
  if (!u.header.ParseFromString(row.Text(1))) return absl::DataLossError("stored upload unreadable");
  u.uploaded_by = row.Text(2);
  u.evidence_id = row.Text(3);
  u.failed = row.Int(4) != 0;
  u.created = storage::FromMicros(row.Int(5));
  return u;
}

absl::StatusOr<std::vector<UploadRecord>> UploadsFromRows(const Result& r) {
  std::vector<UploadRecord> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(UploadRecord u, UploadFromRow(row));
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<UploadRecord>> SqlSubmissionStore::GetUpload(const std::string& upload_id) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kUploadColumns, " WHERE upload_id = ?"), {upload_id}));
  if (r.rows.empty()) return std::nullopt;
  return UploadFromRow(r.rows[0]);
}

absl::StatusOr<std::vector<UploadRecord>> SqlSubmissionStore::OpenUploads(const std::string& region_code) {
  KLA_ASSIGN_OR_RETURN(Result r,
                       db_->Execute(absl::StrCat(kUploadColumns,
                                                 " WHERE region_code = ? AND evidence_id IS NULL AND failed = 0"
                                                 " ORDER BY created_at"),
                                    {region_code}));
  return UploadsFromRows(r);
}

absl::StatusOr<std::vector<UploadRecord>> SqlSubmissionStore::StaleUploads(absl::Time before, int limit) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kUploadColumns,
                                                           " WHERE evidence_id IS NULL AND created_at < ?"
                                                           " ORDER BY created_at LIMIT ?"),
                                              {storage::ToMicros(before), int64_t{limit}}));
  return UploadsFromRows(r);
}

absl::Status SqlSubmissionStore::DeleteUpload(const std::string& key) {
  return db_->Execute("DELETE FROM submission_uploads WHERE upload_id = ? AND evidence_id IS NULL", {key}).status();
}

absl::Status SqlSubmissionStore::CreateUpload(const UploadRecord& u) {
  return db_
      ->Execute(
          "INSERT INTO submission_uploads (upload_id, region_code, header, uploaded_by, evidence_id, failed,"
          " created_at) VALUES (?, ?, ?, ?, NULL, 0, ?)",
          {u.key, u.header.region_code(), storage::Blob(u.header.SerializeAsString()), u.uploaded_by,
           storage::ToMicros(clock_->Now())})
      .status();
}

absl::Status SqlSubmissionStore::CompleteUpload(const std::string& upload_id, const v1::Evidence& e,
                                                const v1::AuditEntry& entry) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(Result r, tx.Execute("UPDATE submission_uploads SET evidence_id = ?"
                                              " WHERE upload_id = ? AND evidence_id IS NULL",
                                              {e.evidence_id(), upload_id}));
    if (r.affected_rows != 1) return absl::AbortedError("the upload was completed by another stream");
    KLA_RETURN_IF_ERROR(tx.Execute("INSERT INTO submission_evidence (evidence_id, cycle_id, region_code, item_id,"
                                   " attached, content, upload_time) VALUES (?, ?, ?, ?, 1, ?, ?)",
                                   {e.evidence_id(), e.cycle_id(), e.region_code(), e.item_id(),
                                    storage::Blob(e.SerializeAsString()), storage::ToMicros(clock_->Now())})
                            .status());
    return AppendAudit(tx, e.cycle_id(), e.region_code(), {entry});
  });
}

absl::Status SqlSubmissionStore::FailUpload(const std::string& upload_id) {
  return db_->Execute("UPDATE submission_uploads SET failed = 1 WHERE upload_id = ?", {upload_id}).status();
}

absl::StatusOr<std::vector<v1::Evidence>> SqlSubmissionStore::ListEvidence(const std::string& cycle_id,
                                                                           const std::string& region_code,
                                                                           const std::string& item_id) {
  std::string sql = "SELECT content, attached FROM submission_evidence WHERE cycle_id = ? AND region_code = ?";
  std::vector<Value> params = {cycle_id, region_code};
  if (!item_id.empty()) {
    sql += " AND item_id = ?";
    params.emplace_back(item_id);
  }
  sql += " ORDER BY item_id, upload_time, evidence_id";
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<v1::Evidence> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::Evidence e, EvidenceFromRow(row));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Evidence>> SqlSubmissionStore::GetEvidence(const std::string& evidence_id) {
  KLA_ASSIGN_OR_RETURN(
      Result r, db_->Execute("SELECT content, attached FROM submission_evidence WHERE evidence_id = ?", {evidence_id}));
  if (r.rows.empty()) return std::nullopt;
  return EvidenceFromRow(r.rows[0]);
}

absl::Status SqlSubmissionStore::DetachEvidence(const std::string& evidence_id, const v1::AuditEntry& entry) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(Result r, tx.Execute("SELECT cycle_id, region_code FROM submission_evidence"
                                              " WHERE evidence_id = ? AND attached = 1",
                                              {evidence_id}));
    if (r.rows.empty()) return absl::OkStatus();  // already detached: a retry
    KLA_RETURN_IF_ERROR(
        tx.Execute("UPDATE submission_evidence SET attached = 0 WHERE evidence_id = ?", {evidence_id}).status());
    return AppendAudit(tx, r.rows[0].Text(0), r.rows[0].Text(1), {entry});
  });
}

absl::StatusOr<std::vector<v1::AuditEntry>> SqlSubmissionStore::Audit(const std::string& cycle_id,
                                                                      const std::string& region_code,
                                                                      const std::string& item_id,
                                                                      int64_t after_sequence, int limit) {
  std::string sql = "SELECT content FROM submission_audit WHERE cycle_id = ? AND region_code = ? AND sequence > ?";
  std::vector<Value> params = {cycle_id, region_code, after_sequence};
  if (!item_id.empty()) {
    sql += " AND item_id = ?";
    params.emplace_back(item_id);
  }
  sql += " ORDER BY sequence LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit));
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<v1::AuditEntry> out;
  for (const Row& row : r.rows) {
    v1::AuditEntry e;
    if (!e.ParseFromString(row.Text(0))) return absl::DataLossError("stored audit entry unreadable");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kla::submission
