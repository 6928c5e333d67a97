-- Up Migration

-- A quarantined message is replayed once fixed, and stays in the quarantine as the record of
-- what went wrong and what was done: marked replayed, never deleted.
ALTER TABLE quarantine
  ADD COLUMN replayed_at      timestamptz,
  ADD COLUMN replay_outcome   text CHECK (replay_outcome IN ('applied', 'duplicate')),
  -- The corrected message, when the replay did not re-run the payload as received.
  ADD COLUMN replayed_payload text;
CREATE INDEX quarantine_open ON quarantine (id) WHERE replayed_at IS NULL;

-- Down Migration
DROP INDEX quarantine_open;
ALTER TABLE quarantine DROP COLUMN replayed_payload, DROP COLUMN replay_outcome, DROP COLUMN replayed_at;
