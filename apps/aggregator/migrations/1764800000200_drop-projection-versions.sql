-- Up Migration

-- Answers read releases (see the cell-keys-and-releases migration) and are kept by release id;
-- the counter bumped with every change to flow_counts is read by nothing any more.
DROP TABLE projection_versions;

-- Down Migration
CREATE TABLE projection_versions (
  projection text   PRIMARY KEY,
  version    bigint NOT NULL
);
INSERT INTO projection_versions (projection, version) VALUES ('flows', 0);
