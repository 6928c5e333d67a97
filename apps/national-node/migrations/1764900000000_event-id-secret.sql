-- Up Migration

-- The key of the node's event ids (apps/national-node/src/infrastructure/event-ids.ts): a record's
-- event id is a keyed hash of its recordId's digest, a later event's of its stream position and
-- decision, so that a record posted again after the database was restored from a backup gets the
-- event id it had, and the aggregator, which already holds it, skips it (docs/operations.md,
-- "Backup and restore"). It is kept in the database so that a restored dump brings it back; two
-- random UUIDs (built into PostgreSQL 13+, no extension) make its 32 bytes.
CREATE TABLE event_id_secret (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  secret   bytea   NOT NULL CHECK (length(secret) >= 32)
);
INSERT INTO event_id_secret (secret)
VALUES (decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex'));

-- Down Migration
DROP TABLE event_id_secret;
