-- Up Migration

-- Each event is signed when it is appended (docs/signing.md): the signature is stored with it so
-- that every publication of the event, however late or repeated, carries the same proof. Events
-- appended before signing existed have none and are published unsigned (the aggregator
-- quarantines them as SIGNATURE.MISSING).
ALTER TABLE events ADD COLUMN key_id text, ADD COLUMN signature text;

-- Down Migration
ALTER TABLE events DROP COLUMN signature, DROP COLUMN key_id;
