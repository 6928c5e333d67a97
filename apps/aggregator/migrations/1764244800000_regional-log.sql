-- Up Migration

-- The regional event log: every valid event received, once (event_id is the deduplication key;
-- (stream_id, stream_version) keeps one event per stream position). Projections are derived
-- from it and can be rebuilt from it.
CREATE TABLE regional_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        uuid        NOT NULL UNIQUE,
  type            text        NOT NULL,
  schema_version  integer     NOT NULL,
  provider        char(2)     NOT NULL,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL,
  occurred_on     date        NOT NULL,
  recorded_at     timestamptz NOT NULL,
  data            jsonb       NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  topic           text        NOT NULL,
  kafka_partition integer     NOT NULL,
  kafka_offset    bigint      NOT NULL,
  CONSTRAINT regional_events_stream_position_key UNIQUE (stream_id, stream_version)
);

-- Flows: one row per day and combination of dimensions; count is the number of movements.
CREATE TABLE flow_counts (
  day                  date    NOT NULL,
  provider             char(2) NOT NULL,
  border_crossing_point text   NOT NULL,
  direction            text    NOT NULL,
  departed_from        char(2) NOT NULL,
  intended_destination char(2) NOT NULL,
  citizenship          char(2) NOT NULL,
  category             text    NOT NULL,
  sex                  text    NOT NULL,
  age_band             text    NOT NULL,
  count                bigint  NOT NULL,
  PRIMARY KEY (day, provider, border_crossing_point, direction, departed_from, intended_destination,
               citizenship, category, sex, age_band)
);

-- What could not be taken in, with the reason. Never silently dropped.
CREATE TABLE quarantine (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic           text        NOT NULL,
  kafka_partition integer     NOT NULL,
  kafka_offset    bigint      NOT NULL,
  message_key     text,
  payload         text,
  reason          text        NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now()
);

-- The next offset to read, written in the same transaction as the projection change.
CREATE TABLE consumer_offsets (
  consumer_group  text    NOT NULL,
  topic           text    NOT NULL,
  kafka_partition integer NOT NULL,
  next_offset     bigint  NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, kafka_partition)
);

-- Each provider's latest event, kept up to date with each batch (for GET /v1/nodes).
CREATE TABLE provider_status (
  provider          char(2) PRIMARY KEY,
  events            bigint      NOT NULL,
  last_event_id     uuid        NOT NULL,
  last_recorded_at  timestamptz NOT NULL,
  last_received_at  timestamptz NOT NULL
);

-- Down Migration
DROP TABLE provider_status;
DROP TABLE consumer_offsets;
DROP TABLE quarantine;
DROP TABLE flow_counts;
DROP TABLE regional_events;
