-- Up Migration

-- Signature version 2 (docs/signing.md): the signed Merkle root and the inclusion proof of an
-- event published at schemaVersion 2, {"batch": {...}, "proof": {...}}, kept as received like
-- key_id and signature. Null for events signed one by one.
ALTER TABLE regional_events ADD COLUMN proof jsonb;

-- Events this aggregator cannot read yet (docs/events.md, "Versioning"): a schemaVersion newer than
-- it knows, and every later event of the same stream, which must not overtake it (a retraction
-- of a movement that waits). Kept as published, bytes and all, and taken in, in `id` order,
-- through the same ingest when an aggregator that knows the version starts. Neither bad nor lost.
CREATE TABLE awaiting_upgrade (
  id              bigserial PRIMARY KEY,
  topic           text NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset    bigint NOT NULL,
  message_key     text,
  payload         bytea NOT NULL,
  event_id        uuid NOT NULL,
  type            text NOT NULL,
  schema_version  int NOT NULL,
  provider        text NOT NULL,
  stream_id       text NOT NULL,
  reason          text NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  -- A message redelivered by Kafka waits once.
  UNIQUE (topic, kafka_partition, kafka_offset)
);
CREATE INDEX awaiting_upgrade_stream ON awaiting_upgrade (stream_id, id);
CREATE INDEX awaiting_upgrade_provider ON awaiting_upgrade (provider, type, schema_version);

-- Down Migration
DROP TABLE awaiting_upgrade;
ALTER TABLE regional_events DROP COLUMN proof;
