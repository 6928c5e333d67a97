-- Up Migration

-- The cell-key method (docs/privacy.md). Every record has a secret key, a keyed hash of its id
-- with a secret that only this database holds (never served; CELL_KEY_SECRET_FILE sets it, so
-- that every aggregator of a region, and a rebuilt one, gives the same answers). A figure's key is
-- the sum of its records' keys mod 2^32, kept next to each count like the count itself.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE cell_key_secret (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  secret     bytea NOT NULL CHECK (length(secret) >= 32),
  set_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cell_key_secret (secret) VALUES (gen_random_bytes(32));

-- A record's key: the first four bytes of HMAC-SHA256(secret, id), as recordKey in
-- apps/aggregator/src/disclosure/domain/cell-key.ts computes it (a test checks they agree).
CREATE FUNCTION record_key(id text) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ('x' || left(encode(hmac(convert_to(id, 'UTF8'), secret, 'sha256'), 'hex'), 8))::bit(32)::bigint FROM cell_key_secret
$$;

-- Every event of the log gets its key as it is inserted, whoever inserts it.
ALTER TABLE regional_events ADD COLUMN record_key bigint;
UPDATE regional_events SET record_key = record_key(event_id::text);
ALTER TABLE regional_events ALTER COLUMN record_key SET NOT NULL;
CREATE FUNCTION regional_events_record_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.record_key := record_key(NEW.event_id::text);
  RETURN NEW;
END;
$$;
CREATE TRIGGER regional_events_record_key BEFORE INSERT ON regional_events
  FOR EACH ROW EXECUTE FUNCTION regional_events_record_key();

-- Key sums (mod 2^32). Existing rows get 0 here; `npm run rebuild` recomputes them from the log.
ALTER TABLE flow_counts ADD COLUMN key_sum bigint NOT NULL DEFAULT 0;
ALTER TABLE referral_facts ADD COLUMN record_key bigint;
UPDATE referral_facts SET record_key = record_key(stream_id);

-- Releases: answers read the projections as they were when a release was cut, never the running
-- count, so that asking again between releases learns nothing new. Only the latest snapshot is
-- kept; the list of releases is the history.
CREATE TABLE releases (
  release_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cut_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The last day of data the release holds (days after it wait for the next one).
  data_until date NOT NULL,
  cut_by     text NOT NULL,
  reason     text,
  flow_cells bigint NOT NULL DEFAULT 0,
  referrals  bigint NOT NULL DEFAULT 0
);

CREATE TABLE released_flow_counts (LIKE flow_counts INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE released_referral_facts AS SELECT * FROM referral_facts WITH NO DATA;
CREATE INDEX released_referral_facts_made_on ON released_referral_facts (made_on);

-- When releases are cut by themselves: set by the secretariat (PUT /v1/releases/schedule).
CREATE TABLE release_schedule (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  frequency text NOT NULL CHECK (frequency IN ('off', 'daily', 'weekly', 'monthly')),
  at_utc    text NOT NULL CHECK (at_utc ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  set_by    text NOT NULL,
  set_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO release_schedule (frequency, at_utc, set_by) VALUES ('off', '02:00', 'default');

-- Down Migration
DROP TABLE release_schedule;
DROP TABLE released_referral_facts;
DROP TABLE released_flow_counts;
DROP TABLE releases;
ALTER TABLE referral_facts DROP COLUMN record_key;
ALTER TABLE flow_counts DROP COLUMN key_sum;
DROP TRIGGER regional_events_record_key ON regional_events;
DROP FUNCTION regional_events_record_key();
ALTER TABLE regional_events DROP COLUMN record_key;
DROP FUNCTION record_key(text);
DROP TABLE cell_key_secret;
