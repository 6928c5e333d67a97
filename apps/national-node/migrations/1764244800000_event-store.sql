-- Up Migration

-- The node's event store. Only anonymised events are ever written here (see docs/privacy.md).
-- transaction_id lets position-based readers stay below the oldest open transaction.
CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid        NOT NULL UNIQUE,
  type            text        NOT NULL,
  schema_version  integer     NOT NULL,
  provider        char(2)     NOT NULL,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL CHECK (stream_version > 0),
  occurred_on     date        NOT NULL,
  recorded_at     timestamptz NOT NULL,
  data            jsonb       NOT NULL,
  CONSTRAINT events_stream_id_stream_version_key UNIQUE (stream_id, stream_version)
);

-- Rows waiting to be published; deleted once Kafka has acknowledged them.
CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  global_position bigint NOT NULL REFERENCES events (global_position),
  topic           text   NOT NULL,
  message_key     text   NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Idempotency by the client's recordId. Only a SHA-256 digest of the id is kept: a national
-- system's record id may itself be an identifier (a case or document number).
CREATE TABLE record_ids (
  kind      text  NOT NULL,
  id_digest bytea NOT NULL,
  event_id  uuid  NOT NULL,
  PRIMARY KEY (kind, id_digest)
);

-- Down Migration
DROP TABLE record_ids;
DROP TABLE outbox;
DROP TABLE events;
