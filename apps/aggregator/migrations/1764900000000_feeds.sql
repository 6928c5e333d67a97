-- Up Migration

-- The recipients' feeds (docs/integrators.md). Each item is written once per recipient when what
-- it reports happens (a release cut, an alert raised/escalated/subsided, an agreement that names
-- the recipient granted/amended/revoked/expired), computed with the same rules as the REST answer
-- that recipient would get at that moment, and signed by the aggregator's own key. The cursor
-- feed, Server-Sent Events, webhooks and the per-recipient Kafka topics all read this one table,
-- in `seq` order.
CREATE TABLE feed_items (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recipient    text NOT NULL,
  -- Stable across every redelivery and every channel, e.g. `release/12/flows/IR`.
  item_id      text NOT NULL,
  kind         text NOT NULL,
  -- The agreement the item was computed under (null when none, e.g. the secretariat's own view):
  -- an item whose agreement is no longer in force when it is read is not served any more.
  agreement_id text,
  occurred_at  timestamptz NOT NULL,
  -- The item exactly as served, its `signature` included.
  item         jsonb NOT NULL,
  UNIQUE (recipient, item_id)
);
CREATE INDEX feed_items_recipient_seq ON feed_items (recipient, seq);

-- The aggregator's own Ed25519 key, which signs feed items and webhook deliveries. Made at first
-- start unless AGGREGATOR_SIGNING_KEY_FILE names one; the public half is served at
-- GET /v1/signing-keys. Never served otherwise.
CREATE TABLE aggregator_signing_key (
  only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  key_id          text NOT NULL,
  private_key_pem text NOT NULL,
  public_key_pem  text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE aggregator_signing_key;
DROP TABLE feed_items;
