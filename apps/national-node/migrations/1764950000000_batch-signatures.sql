-- Up Migration

-- Signature version 2 (docs/signing.md): a movement event appended with NODE_SIGNATURE_VERSION=2
-- carries the signed Merkle root of its append and its inclusion proof, {"batch": {...}, "proof":
-- {...}}, instead of a per-event signature; kept with the event so that every publication is the
-- same bytes. Null for per-event signatures.
ALTER TABLE events ADD COLUMN proof jsonb;

-- Down Migration
ALTER TABLE events DROP COLUMN proof;
