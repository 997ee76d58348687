-- Passwords of the service roles for deploy/compose.yaml only: one machine,
-- PostgreSQL not published outside the compose network. A real installation
-- sets its own (ALTER ROLE ... PASSWORD) and keeps them in Secrets.
ALTER ROLE kla_registry PASSWORD 'kla_registry';
ALTER ROLE kla_submission PASSWORD 'kla_submission';
ALTER ROLE kla_scoring PASSWORD 'kla_scoring';
ALTER ROLE kla_notification PASSWORD 'kla_notification';
