-- Up Migration

-- The proof of each event as received: the key that signed it and the signature over its
-- canonical JSON (docs/signing.md). Null for events received before signing existed.
ALTER TABLE regional_events ADD COLUMN key_id text, ADD COLUMN signature text;

-- Down Migration
ALTER TABLE regional_events DROP COLUMN signature, DROP COLUMN key_id;
