-- Up Migration

-- Which state's emergency terms were turned on for which emergency, and when (docs/emergencies.md):
-- a projection of the two logs that hold them, rebuilt from them if lost: the state's own
-- EmergencyTermsActivated on its agreement stream (regional_events, taken in from agreements.v1;
-- activated_at is when the aggregator received it) and the aggregator's automatic activations on a
-- critical surge (secretariat_events, stream emergency-<id>). The first activation of an agreement
-- for an emergency counts; a later one changes nothing.
CREATE TABLE emergency_activations (
  agreement_id  uuid        NOT NULL,
  emergency_id  uuid        NOT NULL,
  provider      char(2)     NOT NULL,
  activated_by  text        NOT NULL CHECK (activated_by IN ('at-node', 'critical-surge')),
  alert_id      text,
  activated_at  timestamptz NOT NULL,
  PRIMARY KEY (agreement_id, emergency_id)
);
CREATE INDEX emergency_activations_emergency ON emergency_activations (emergency_id);

-- Down Migration
DROP TABLE emergency_activations;
