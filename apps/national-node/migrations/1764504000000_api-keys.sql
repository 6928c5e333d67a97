-- Up Migration

-- API keys of this service's callers (docs/authentication.md). Only a scrypt hash of the secret
-- is kept; the key itself is shown once by `npm run cli -- keys create` and never stored.
-- Every request looks its key up here by key_id (the primary key), so that a revocation or an
-- expiry bites on the next request, whichever process wrote it.
CREATE TABLE api_keys (
  key_id      text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
  principal   text NOT NULL CHECK (principal ~ '^state:[A-Z]{2}$' OR principal = 'admin'),
  role        text NOT NULL CHECK (role IN ('ingest', 'admin')),
  secret_hash bytea NOT NULL,
  salt        bytea NOT NULL,
  scrypt_n    integer NOT NULL,
  scrypt_r    integer NOT NULL,
  scrypt_p    integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  revoked_at  timestamptz,
  label       text
);

-- Down Migration
DROP TABLE api_keys;
