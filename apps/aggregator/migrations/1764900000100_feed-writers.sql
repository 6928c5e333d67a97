-- Up Migration

-- What the feed writers have done (docs/integrators.md, "The feed"): one row per release, alert
-- change and agreement change whose items are in feed_items, written in the same transaction as
-- those items. A writer that crashed before its commit finds no mark and does the work again; one
-- that finds the mark does nothing, so every item is computed once and its id stays the same.
-- Marks are `release/<id>`, `alert/<alertId>/<version>`, `agreement/<agreementId>/<version>`
-- and `agreement/<agreementId>/expired`.
CREATE TABLE feed_marks (
  mark      text PRIMARY KEY,
  marked_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE feed_marks;
