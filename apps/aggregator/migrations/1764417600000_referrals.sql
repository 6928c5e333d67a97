-- Up Migration

-- One row per referral, merged from its events whatever order they arrive in: each event fills
-- its own columns and never clears another's, so a ReferralAccepted that overtakes its
-- ReferralMade (a replay, another partition) ends in the same row as the events in order. The
-- status follows from which events are in; the node's decider guarantees that declined and
-- closed are final. A row whose ReferralMade has not arrived yet has no status and stays out of
-- the summary until it does.
CREATE TABLE referral_facts (
  stream_id             text PRIMARY KEY,
  provider              char(2) NOT NULL,
  made_on               date,
  category              text,
  referred_to           text,
  sex                   text,
  age_band              text,
  specific_needs        text[],
  border_crossing_point text,
  province              text,
  referred_at           timestamptz,
  acknowledged_at       timestamptz,
  accepted_at           timestamptz,
  declined_at           timestamptz,
  decline_reason        text,
  closed_at             timestamptz,
  outcome               text,
  status                text GENERATED ALWAYS AS (
    CASE WHEN referred_at IS NULL THEN NULL
         WHEN closed_at IS NOT NULL THEN 'closed'
         WHEN declined_at IS NOT NULL THEN 'declined'
         WHEN accepted_at IS NOT NULL THEN 'accepted'
         WHEN acknowledged_at IS NOT NULL THEN 'acknowledged'
         ELSE 'made' END) STORED
);
CREATE INDEX referral_facts_made_on ON referral_facts (made_on);

-- Down Migration
DROP TABLE referral_facts;
