-- Up Migration

-- GET /v1/agreements folds every agreement stream of the node. The events table is mostly
-- movements; this partial index keeps that read to the agreement streams alone. Queries must
-- repeat the predicate literally for the planner to use it.
CREATE INDEX events_agreement_streams ON events (stream_id, stream_version) WHERE stream_id LIKE 'agreement-%';

-- Down Migration
DROP INDEX events_agreement_streams;
