-- Up Migration

-- What the secretariat records at the aggregator (docs/emergencies.md): contingency scenarios
-- (planning figures, reception capacity), emergency declarations and their ends, and the
-- activations of a state's emergency terms the aggregator makes itself (on a critical surge,
-- when the state said so in advance). Append-only and versioned per stream, with who recorded
-- each event and why; each is signed by the aggregator's Ed25519 key (GET /v1/signing-keys) over
-- RFC 8785 JSON of {streamId, streamVersion, type, data, recordedBy, recordedAt}.
CREATE TABLE secretariat_events (
  seq            bigserial PRIMARY KEY,
  stream_id      text NOT NULL,
  stream_version int NOT NULL CHECK (stream_version >= 1),
  type           text NOT NULL,
  data           jsonb NOT NULL,
  recorded_by    text NOT NULL,
  recorded_at    timestamptz NOT NULL,
  key_id         text NOT NULL,
  signature      text NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX secretariat_events_type ON secretariat_events (type, seq);

CREATE FUNCTION secretariat_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'secretariat_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER secretariat_events_no_change BEFORE UPDATE OR DELETE ON secretariat_events
  FOR EACH ROW EXECUTE FUNCTION secretariat_events_append_only();
CREATE TRIGGER secretariat_events_no_truncate BEFORE TRUNCATE ON secretariat_events
  FOR EACH STATEMENT EXECUTE FUNCTION secretariat_events_append_only();

-- Down Migration
DROP TABLE secretariat_events;
DROP FUNCTION secretariat_events_append_only();
