#include "services/submission/storage/migrations.h"

#include "libs/outbox/outbox.h"

namespace kla::submission {

const std::vector<storage::Migration>& SubmissionMigrations() {
  static const std::vector<storage::Migration> kMigrations = {
      outbox::EventTablesMigration("submission"),
      {2, "submissions, stage answers, audit trail, requests", R"sql(
CREATE TABLE submission_submissions (
  cycle_id      TEXT NOT NULL,
  region_code   TEXT NOT NULL,            -- kabupaten/kota
  province_code TEXT NOT NULL,            -- for listing a province
  state         BIGINT NOT NULL,          -- kla.submission.v1.SubmissionState number
  stage         BIGINT NOT NULL,          -- kla.type.v1.Stage number
  version       BIGINT NOT NULL,          -- the etag
  content       BYTEA NOT NULL,           -- serialized kla.submission.v1.Submission
  updated_at    BIGINT NOT NULL,          -- unix microseconds
  PRIMARY KEY (cycle_id, region_code)
);
CREATE INDEX submission_submissions_province ON submission_submissions (cycle_id, province_code, region_code);
CREATE TABLE submission_stage_answers (
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  stage       BIGINT NOT NULL,
  revision    BIGINT NOT NULL,            -- raised each time the stage is completed again
  content     BYTEA NOT NULL,             -- serialized kla.submission.v1.StageAnswers
  PRIMARY KEY (cycle_id, region_code, stage)
);
CREATE TABLE submission_audit (           -- append-only
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  sequence    BIGINT NOT NULL,
  item_id     TEXT NOT NULL,              -- "" for the whole submission
  content     BYTEA NOT NULL,             -- serialized kla.submission.v1.AuditEntry
  PRIMARY KEY (cycle_id, region_code, sequence)
);
CREATE INDEX submission_audit_item ON submission_audit (cycle_id, region_code, item_id, sequence);
CREATE TABLE submission_requests (        -- results of changing requests, for safe retries
  request_id    TEXT PRIMARY KEY,
  fingerprint   TEXT NOT NULL,
  submission    BYTEA NOT NULL,           -- the submission after the request
  stage_answers BYTEA,                    -- the stage completed by it, if any
  created_at    BIGINT NOT NULL
);
)sql"},
      {3, "evidence", R"sql(
CREATE TABLE submission_uploads (         -- uploads being received or done; resumable by id
  upload_id   TEXT PRIMARY KEY,           -- chosen by the client
  region_code TEXT NOT NULL,
  header      BYTEA NOT NULL,             -- serialized kla.submission.v1.UploadHeader
  uploaded_by TEXT NOT NULL,
  evidence_id TEXT,                       -- set once complete
  failed      BIGINT NOT NULL,            -- 1: SHA-256 mismatch, never resumed
  created_at  BIGINT NOT NULL
);
CREATE TABLE submission_evidence (        -- immutable records; bytes in the blob store by sha256
  evidence_id TEXT PRIMARY KEY,
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  attached    BIGINT NOT NULL,
  content     BYTEA NOT NULL,             -- serialized kla.submission.v1.Evidence
  upload_time BIGINT NOT NULL
);
CREATE INDEX submission_evidence_item ON submission_evidence (cycle_id, region_code, item_id, upload_time);
)sql"},
      {4, "upload ids scoped to their region", R"sql(
-- A client's upload id names an upload only within its kabupaten/kota, so
-- one region cannot take (or pre-empt) another's id.
UPDATE submission_uploads SET upload_id = region_code || '-' || upload_id;
)sql"},
      {5, "staged uploads expire; evidence quota per region", R"sql(
CREATE INDEX submission_uploads_region ON submission_uploads (region_code, created_at);
CREATE INDEX submission_uploads_age ON submission_uploads (created_at);
)sql"},
  };
  return kMigrations;
}

}  // namespace kla::submission
