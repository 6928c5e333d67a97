-- Up Migration

-- A counter bumped in the same transaction as every change to flow_counts (the live upsert, the
-- release of held events, a rebuild): an answer computed at version v stays right until the
-- counter moves, so GET /v1/flows may keep answers keyed by it.
CREATE TABLE projection_versions (
  projection text   PRIMARY KEY,
  version    bigint NOT NULL
);
INSERT INTO projection_versions (projection, version) VALUES ('flows', 0);

-- Down Migration
DROP TABLE projection_versions;
