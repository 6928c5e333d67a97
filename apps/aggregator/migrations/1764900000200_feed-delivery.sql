-- Up Migration

-- Delivery of the recipients' feeds (docs/integrators.md, "Webhooks" and "Kafka topics"): both
-- read feed_items in `seq` order through readFeedItems, so an item under an agreement no longer
-- in force is not delivered, and keep how far they got here.

-- A recipient's webhook subscriptions. One item in flight per subscription: the dispatcher holds
-- the row (FOR UPDATE SKIP LOCKED) while it posts the next item, so two aggregators never post
-- the same subscription's items at once or out of order.
CREATE TABLE webhook_subscriptions (
  id              uuid PRIMARY KEY,
  -- The principal whose feed is delivered, and who alone sees and changes the subscription.
  recipient       text NOT NULL,
  url             text NOT NULL,
  description     text,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'parked')),
  -- The feed's seq delivered up to (the cursor): the next delivery is the first item after it.
  delivered_seq   bigint NOT NULL CHECK (delivered_seq >= 0),
  delivered_count bigint NOT NULL DEFAULT 0,
  -- Consecutive failed attempts at the next item; parked when it reaches WEBHOOK_MAX_ATTEMPTS.
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  last_attempt_at timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  parked_item_id  text,
  parked_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_recipient ON webhook_subscriptions (recipient, created_at);
CREATE INDEX webhook_subscriptions_due ON webhook_subscriptions (next_attempt_at) WHERE status = 'active';

-- How far each recipient's Kafka topic has been written (at least once: a crash between the
-- broker's acknowledgement and this row's update sends those items again, same key).
CREATE TABLE feed_kafka_progress (
  recipient     text PRIMARY KEY,
  relayed_seq   bigint NOT NULL DEFAULT 0,
  relayed_count bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE feed_kafka_progress;
DROP TABLE webhook_subscriptions;
