#include "services/scoring/storage/migrations.h"

#include "libs/outbox/outbox.h"

namespace kla::scoring {

const std::vector<storage::Migration>& ScoringMigrations() {
  static const std::vector<storage::Migration> kMigrations = {
      outbox::EventTablesMigration("scoring"),
      {2, "stage scores, ranking snapshots, publications, recompute jobs", R"sql(
CREATE TABLE scoring_stage_scores (
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  stage       BIGINT NOT NULL,             -- kla.type.v1.Stage number
  revision    BIGINT NOT NULL,             -- of the stage's answers; only ever raised
  score       BYTEA NOT NULL,              -- serialized kla.scoring.v1.RegionScore (explained)
  answers     BYTEA NOT NULL,              -- serialized kla.submission.v1.StageAnswers
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (cycle_id, region_code, stage)
);
CREATE INDEX scoring_stage_scores_region ON scoring_stage_scores (region_code, cycle_id);
CREATE TABLE scoring_counters (            -- raised with every score change: rankings are stale below it
  cycle_id TEXT PRIMARY KEY,
  counter  BIGINT NOT NULL
);
CREATE TABLE scoring_snapshots (           -- immutable rankings
  snapshot_id TEXT PRIMARY KEY,
  cycle_id    TEXT NOT NULL,
  content     BYTEA NOT NULL,              -- serialized kla.scoring.v1.RankingSnapshot
  created_at  BIGINT NOT NULL
);
CREATE TABLE scoring_pointers (            -- the current snapshot of each ranking ("2025/live/0")
  name        TEXT PRIMARY KEY,
  snapshot_id TEXT NOT NULL,
  built_from  BIGINT NOT NULL              -- the cycle's counter it was built from
);
CREATE TABLE scoring_publications (
  cycle_id TEXT NOT NULL,
  kind     BIGINT NOT NULL,                -- kla.scoring.v1.PublicationKind number
  content  BYTEA NOT NULL,                 -- serialized kla.scoring.v1.Publication
  PRIMARY KEY (cycle_id, kind)
);
CREATE TABLE scoring_jobs (
  job_id     TEXT PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  state      BIGINT NOT NULL,              -- kla.scoring.v1.JobState number
  content    BYTEA NOT NULL,               -- serialized kla.scoring.v1.RecomputeJob
  created_at BIGINT NOT NULL
);
)sql"},
      {3, "results published before kla", R"sql(
CREATE TABLE scoring_past_results (        -- final results of cycles run before kla, for history
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  predicate   BIGINT NOT NULL,             -- kla.type.v1.Predicate number
  total       BIGINT,                      -- hundredths; NULL when not published
  imported_by TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (cycle_id, region_code)
);
CREATE INDEX scoring_past_results_region ON scoring_past_results (region_code, cycle_id);
)sql"},
      {4, "returns closed as not completed", R"sql(
CREATE TABLE scoring_not_completed (       -- regions out of a cycle's evaluation: never ranked in it
  cycle_id    TEXT NOT NULL,
  region_code TEXT NOT NULL,
  closed_at   BIGINT NOT NULL,
  PRIMARY KEY (cycle_id, region_code)
);
)sql"},
  };
  return kMigrations;
}

}  // namespace kla::scoring
