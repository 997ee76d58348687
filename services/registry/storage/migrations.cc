#include "services/registry/storage/migrations.h"

#include "libs/outbox/outbox.h"

namespace kla::registry {

const std::vector<storage::Migration>& RegistryMigrations() {
  static const std::vector<storage::Migration> kMigrations = {
      outbox::EventTablesMigration("registry"),
      {2, "regions", R"sql(
CREATE TABLE registry_regions (
  code          TEXT PRIMARY KEY,         -- Kemendagri code: "35", "35.72"
  level         BIGINT NOT NULL,          -- kla.type.v1.RegionLevel number
  province_code TEXT NOT NULL,            -- own code for a province
  name          TEXT NOT NULL,            -- display name, "Kota Blitar"
  name_folded   TEXT NOT NULL,            -- lowercase, accent-free, for search
  updated_at    BIGINT NOT NULL           -- unix microseconds
);
CREATE INDEX registry_regions_province ON registry_regions (province_code, code);
CREATE TABLE registry_region_imports (
  request_id     TEXT PRIMARY KEY,        -- client's idempotency key
  created        BIGINT NOT NULL,
  updated        BIGINT NOT NULL,
  unchanged      BIGINT NOT NULL,
  missing_codes  TEXT NOT NULL,           -- comma-separated
  province_count BIGINT NOT NULL,
  regency_count  BIGINT NOT NULL,
  imported_at    BIGINT NOT NULL
);
)sql"},
      {3, "rulebooks", R"sql(
CREATE TABLE registry_rulebooks (
  version     TEXT PRIMARY KEY,   -- immutable once stored
  content     BYTEA NOT NULL,     -- serialized kla.registry.v1.Rulebook
  sha256      TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL,
  item_count  BIGINT NOT NULL
);
)sql"},
      {4, "cycles", R"sql(
CREATE TABLE registry_cycles (
  id         TEXT PRIMARY KEY,     -- "2025"
  content    BYTEA NOT NULL,       -- serialized kla.registry.v1.Cycle
  version    BIGINT NOT NULL,      -- optimistic concurrency; etag "v<version>"
  state      BIGINT NOT NULL,      -- kla.registry.v1.CycleState, for queries
  updated_at BIGINT NOT NULL
);
CREATE TABLE registry_cycle_transitions (
  seq        SERIAL_PK,
  cycle_id   TEXT NOT NULL REFERENCES registry_cycles (id),
  from_state BIGINT NOT NULL,
  to_state   BIGINT NOT NULL,
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL
);
CREATE TABLE registry_region_extensions (
  seq         SERIAL_PK,
  cycle_id    TEXT NOT NULL REFERENCES registry_cycles (id),
  region_code TEXT NOT NULL,
  phase       BIGINT NOT NULL,
  close_time  BIGINT NOT NULL,
  reason      TEXT NOT NULL,
  granted_by  TEXT NOT NULL,
  granted_at  BIGINT NOT NULL
);
CREATE INDEX registry_region_extensions_region ON registry_region_extensions (cycle_id, region_code, seq);
)sql"},
      {5, "task forces", R"sql(
CREATE TABLE registry_task_forces (
  region_code TEXT PRIMARY KEY,      -- kabupaten/kota or province
  content     BYTEA NOT NULL,        -- serialized kla.registry.v1.TaskForce
  version     BIGINT NOT NULL        -- etag "v<version>"
);
CREATE TABLE registry_task_force_revisions (
  region_code TEXT NOT NULL,
  version     BIGINT NOT NULL,
  content     BYTEA NOT NULL,        -- serialized kla.registry.v1.TaskForceRevision
  changed_at  BIGINT NOT NULL,
  PRIMARY KEY (region_code, version)
);
CREATE TABLE registry_task_force_meetings (
  id           TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL UNIQUE,  -- retries of the same report add nothing
  region_code  TEXT NOT NULL,
  meeting_date TEXT NOT NULL,         -- YYYY-MM-DD
  agenda       TEXT NOT NULL,
  attendance   BIGINT NOT NULL,
  minutes_ref  TEXT NOT NULL
);
CREATE INDEX registry_task_force_meetings_region ON registry_task_force_meetings (region_code, meeting_date);
)sql"},
      {6, "trainings", R"sql(
CREATE TABLE registry_trainings (
  id          TEXT PRIMARY KEY,
  request_id  TEXT NOT NULL UNIQUE,
  content     BYTEA NOT NULL,         -- serialized kla.registry.v1.Training
  region_code TEXT NOT NULL,
  start_date  TEXT NOT NULL,          -- YYYY-MM-DD
  end_date    TEXT NOT NULL
);
CREATE INDEX registry_trainings_region ON registry_trainings (region_code, end_date);
CREATE TABLE registry_training_participants (
  training_id   TEXT NOT NULL REFERENCES registry_trainings (id),
  person_key    TEXT NOT NULL,        -- folded name|agency|region: one person once per training
  name          TEXT NOT NULL,
  agency        TEXT NOT NULL,
  agency_folded TEXT NOT NULL,
  region_code   TEXT NOT NULL,
  position      TEXT NOT NULL,
  PRIMARY KEY (training_id, person_key)
);
CREATE INDEX registry_training_participants_region ON registry_training_participants (region_code);
CREATE TABLE registry_participant_imports (
  request_id  TEXT PRIMARY KEY,
  training_id TEXT NOT NULL,
  added       BIGINT NOT NULL,
  already     BIGINT NOT NULL
);
)sql"},
      {7, "accounts and signing keys", R"sql(
CREATE TABLE registry_accounts (
  name              TEXT PRIMARY KEY,      -- sign-in name, immutable
  request_id        TEXT NOT NULL UNIQUE,  -- the create's idempotency key
  content           BYTEA NOT NULL,        -- serialized kla.registry.v1.Account (no etag)
  version           BIGINT NOT NULL,       -- the etag
  role              BIGINT NOT NULL,       -- kla.registry.v1.Role number
  state             BIGINT NOT NULL,       -- kla.registry.v1.AccountState number
  scope_codes       TEXT NOT NULL,         -- " 35 35.72 " for filtering
  credential        TEXT NOT NULL,         -- Argon2id encoding, or "" for systems
  key_digest        TEXT UNIQUE,           -- SHA-256 hex of a system's API key
  credential_used   BIGINT NOT NULL,
  failed_logins     BIGINT NOT NULL,
  locked_until      BIGINT NOT NULL,       -- unix microseconds
  token_generation  BIGINT NOT NULL,       -- tokens of a lower generation are revoked
  tokens_not_before BIGINT NOT NULL        -- unix microseconds of the last revocation
);
CREATE INDEX registry_accounts_revoked ON registry_accounts (tokens_not_before);
CREATE TABLE registry_signing_keys (
  kid         TEXT PRIMARY KEY,
  private_pem TEXT NOT NULL,  -- PKCS#8; the database is the registry's secret store
  public_pem  TEXT NOT NULL,
  activate_at BIGINT NOT NULL,
  retire_at   BIGINT          -- NULL while current or next
);
)sql"},
      {8, "extension request ids", R"sql(
ALTER TABLE registry_region_extensions ADD COLUMN request_id TEXT;  -- the grant's idempotency key
CREATE UNIQUE INDEX registry_region_extensions_request ON registry_region_extensions (request_id);
)sql"},
  };
  return kMigrations;
}

}  // namespace kla::registry
