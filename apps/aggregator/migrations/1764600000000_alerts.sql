-- Up Migration

-- Surge alerts: one row per alert, from its detection to its subsidence (docs/alerts.md). At most
-- one active alert per series (scope, provider and the series' route / crossing point / category).
CREATE TABLE alerts (
  alert_id              uuid PRIMARY KEY,
  series_key            text        NOT NULL,
  provider              char(2)     NOT NULL,
  scope                 text        NOT NULL CHECK (scope IN ('route', 'borderCrossingPoint', 'routeCategory')),
  route                 text,
  border_crossing_point text,
  category              text,
  severity              text        NOT NULL CHECK (severity IN ('elevated', 'high', 'critical')),
  status                text        NOT NULL CHECK (status IN ('active', 'subsided')),
  window_from           date        NOT NULL,
  window_to             date        NOT NULL,
  recent                bigint      NOT NULL,
  expected_weekly       numeric     NOT NULL,
  ratio                 numeric     NOT NULL,
  score                 numeric     NOT NULL,
  version               integer     NOT NULL,
  detected_at           timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  subsided_at           timestamptz
);
CREATE UNIQUE INDEX alerts_one_active_per_series ON alerts (series_key) WHERE status = 'active';
CREATE INDEX alerts_status ON alerts (status, updated_at DESC);

-- SurgeDetected / SurgeSubsided envelopes waiting to be published on alerts.v1, written in the
-- same transaction as the alert change and deleted once the broker has acknowledged them.
CREATE TABLE alert_outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_key text  NOT NULL,
  envelope    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE alert_outbox;
DROP TABLE alerts;
