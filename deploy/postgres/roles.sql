-- One PostgreSQL role and schema per kla service, so that a service's
-- credentials reach its own tables only: scoring's role cannot read the
-- registry's accounts or (sealed) signing keys, notification's cannot read
-- evidence records. Each role owns its schema and finds it first on its
-- search_path; kla-server creates its tables there on first start.
--
-- Run once per database, as its owner or a superuser:
--   psql "postgresql://postgres@db.example:5432/kla" -v ON_ERROR_STOP=1 -f deploy/postgres/roles.sql
-- then give each role a password (never in this file) and its URL to its
-- service, e.g. for k8s/secrets.example.yaml's kla-scoring-database:
--   ALTER ROLE kla_scoring PASSWORD '...';
--   postgresql://kla_scoring:...@db.example:5432/kla
-- Safe to run again.

REVOKE ALL ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
  service text;
BEGIN
  FOREACH service IN ARRAY ARRAY['registry', 'submission', 'scoring', 'notification'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kla_' || service) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', 'kla_' || service);
    END IF;
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service, 'kla_' || service);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', service);
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path = %I', 'kla_' || service, current_database(),
                   service);
  END LOOP;
END
$$;
