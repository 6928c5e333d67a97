-- Up Migration

-- Every query the aggregator answers, who asked, why, under which agreements and what was
-- returned or withheld. Append-only: the service inserts and reads, and the database refuses
-- any change or removal, whoever asks.
CREATE TABLE audit_log (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at                timestamptz NOT NULL DEFAULT clock_timestamp(),
  principal         text NOT NULL,
  -- Method and route, e.g. `GET /v1/flows`.
  endpoint          text NOT NULL,
  -- The normalised parameters the answer was computed from (never the raw query string).
  query             jsonb NOT NULL,
  purpose           text,
  -- Per provider: the grant that applied, its k, finest granularity, embargo, categories.
  agreements        jsonb NOT NULL DEFAULT '[]',
  -- States whose data the answer drew on, withheld, or was asked about: what a state's read filters on.
  providers         text[] NOT NULL DEFAULT '{}',
  cells_returned    integer NOT NULL CHECK (cells_returned >= 0),
  cells_suppressed  integer NOT NULL CHECK (cells_suppressed >= 0),
  totals_suppressed integer NOT NULL DEFAULT 0 CHECK (totals_suppressed >= 0),
  -- States left out of the answer, each with the agreement and the reason.
  excluded          jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_log_providers ON audit_log USING gin (providers);
CREATE INDEX audit_log_principal ON audit_log (principal, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
