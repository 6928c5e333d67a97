-- Up Migration

-- The agreement registry, built only from agreements.v1. The events themselves (the history)
-- are in regional_events like every other event.
CREATE TABLE agreements (
  agreement_id      uuid PRIMARY KEY,
  provider          char(2)     NOT NULL,
  recipient         text        NOT NULL,
  terms             jsonb       NOT NULL,
  status            text        NOT NULL CHECK (status IN ('active', 'revoked')),
  version           integer     NOT NULL,
  granted_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  revoked_at        timestamptz,
  revocation_reason text,
  -- Registry order: a later grant wins a tie between two grants of the same reach.
  registry_position bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX agreements_provider ON agreements (provider);

-- Pooling: a provider's events are projected only once it has granted at least one agreement.
-- One row per provider from the start, so that the movement ingest can lock it (FOR SHARE)
-- against the agreement ingest releasing the provider's held events (UPDATE): either the release
-- sees the batch's events, or the batch sees the provider pooled, never neither.
CREATE TABLE provider_pool (
  provider  char(2) PRIMARY KEY,
  pooled_at timestamptz
);
INSERT INTO provider_pool (provider) VALUES ('AF'), ('AZ'), ('CN'), ('IR'), ('KZ'), ('KG'), ('PK'), ('TR'), ('TM');
-- Events received before pooling existed are already in the projections: those providers count
-- as pooled (queries still show their data only under an agreement).
UPDATE provider_pool SET pooled_at = now() WHERE provider IN (SELECT DISTINCT provider FROM regional_events);

-- Down Migration
DROP TABLE provider_pool;
DROP TABLE agreements;
