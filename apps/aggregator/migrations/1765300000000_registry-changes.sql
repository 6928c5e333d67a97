-- Up Migration

-- A counter of the changes to what every answer reads first (the agreements and the latest
-- release: PgAgreementRegistry.grantsWithRelease). Any committed insert, update or delete of an
-- agreement or a release, and a truncation of either table, adds one to `n` in the same
-- transaction, so a statement that sees `n` sees exactly the rows that went with it. The API-key
-- lookup every request makes anyway reads `n` in the same statement (AuthModule), and a repeated
-- question re-reads the grants and the release only when `n` moved since they were last read:
-- a revocation, a new agreement or a release still applies to the very next request.
CREATE TABLE registry_changes (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n   bigint  NOT NULL
);
INSERT INTO registry_changes (one, n) VALUES (true, 0);

CREATE FUNCTION registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE registry_changes SET n = n + 1;
  RETURN NULL;
END $$;

-- Row changes count at commit (deferred): the counter's row is locked only for the end of the
-- writing transaction, not for all of it (a release is cut in one long transaction).
CREATE CONSTRAINT TRIGGER agreements_changed AFTER INSERT OR UPDATE OR DELETE ON agreements
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_changed();
CREATE CONSTRAINT TRIGGER releases_changed AFTER INSERT OR UPDATE OR DELETE ON releases
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_changed();
CREATE TRIGGER agreements_truncated AFTER TRUNCATE ON agreements FOR EACH STATEMENT EXECUTE FUNCTION registry_changed();
CREATE TRIGGER releases_truncated AFTER TRUNCATE ON releases FOR EACH STATEMENT EXECUTE FUNCTION registry_changed();

-- Down Migration
DROP TRIGGER releases_truncated ON releases;
DROP TRIGGER agreements_truncated ON agreements;
DROP TRIGGER releases_changed ON releases;
DROP TRIGGER agreements_changed ON agreements;
DROP FUNCTION registry_changed();
DROP TABLE registry_changes;
