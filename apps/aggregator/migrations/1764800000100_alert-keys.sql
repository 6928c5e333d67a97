-- Up Migration

-- Alerts publish their figures with the cell-key method (docs/alerts.md, docs/privacy.md): beside
-- the exact figures the detector decided on, each alert keeps the cell key of its recent week and
-- the four baseline week counts with their keys, so that every recipient other than the provider
-- sees the recent week and each baseline week perturbed with its own key, and two days' rolling
-- windows cannot be differenced into a day. Set at detection and on every update; never served.
-- Alerts stored before this have none: they are shown only to their provider (and to k = 1 grants)
-- until the next detection run refreshes the active ones.
ALTER TABLE alerts
  ADD COLUMN recent_key     bigint,
  ADD COLUMN baseline_weeks bigint[],
  ADD COLUMN baseline_keys  bigint[],
  ADD CONSTRAINT alerts_keys_complete CHECK (
    (recent_key IS NULL AND baseline_weeks IS NULL AND baseline_keys IS NULL)
    OR (recent_key IS NOT NULL AND cardinality(baseline_weeks) = 4 AND cardinality(baseline_keys) = 4));

-- Down Migration
ALTER TABLE alerts DROP CONSTRAINT alerts_keys_complete, DROP COLUMN baseline_keys, DROP COLUMN baseline_weeks, DROP COLUMN recent_key;
