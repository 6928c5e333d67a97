import { AppMetrics } from '@caravanserai/platform';
import { Counter, Gauge } from 'prom-client';
import type { Pool } from 'pg';
import type { KafkaFeedRelay } from './kafka-feed-relay';
import type { WebhookDispatcher } from './webhook-dispatcher';

/**
 * The delivery's progress in /metrics, read when scraped: this process's attempts and relayed
 * items (counters), and from the database the subscriptions by status and the items each channel
 * has not delivered yet (withheld items included until a delivery pass moves past them).
 */
export function registerDeliveryMetrics(metrics: AppMetrics, pool: Pool, dispatcher: WebhookDispatcher | null, relay: KafkaFeedRelay | null): void {
  const registers = [metrics.registry];
  new Counter({
    name: 'caravanserai_webhook_attempts_total',
    help: 'Webhook delivery attempts by this process, by outcome (delivered, failed and retried later, parked)',
    labelNames: ['outcome'],
    registers,
    collect() {
      if (!dispatcher) return;
      metrics.set(
        this,
        Object.entries(dispatcher.stats).map(([outcome, value]) => ({ labels: { outcome }, value })),
      );
    },
  });
  new Gauge({
    name: 'caravanserai_webhook_subscriptions',
    help: 'Webhook subscriptions by status (active, parked)',
    labelNames: ['status'],
    registers,
    async collect() {
      const { rows } = await pool.query(
        `SELECT s.status, count(w.id)::int AS n FROM (VALUES ('active'), ('parked')) s(status) LEFT JOIN webhook_subscriptions w ON w.status = s.status GROUP BY s.status`,
      );
      metrics.set(
        this,
        rows.map((r) => ({ labels: { status: r.status }, value: r.n })),
      );
    },
  });
  new Gauge({
    name: 'caravanserai_webhook_pending_items',
    help: 'Feed items after the cursor of each subscription, summed over subscriptions, by status',
    labelNames: ['status'],
    registers,
    async collect() {
      const { rows } = await pool.query(
        `SELECT w.status, count(f.seq)::int AS n FROM webhook_subscriptions w LEFT JOIN feed_items f ON f.recipient = w.recipient AND f.seq > w.delivered_seq GROUP BY w.status`,
      );
      metrics.set(
        this,
        rows.map((r) => ({ labels: { status: r.status }, value: r.n })),
      );
    },
  });
  if (!relay) return;
  new Counter({
    name: 'caravanserai_feed_kafka_relayed_total',
    help: "Feed items written to recipients' Kafka topics by this process, per recipient",
    labelNames: ['recipient'],
    registers,
    collect() {
      metrics.set(
        this,
        [...relay.stats].map(([recipient, value]) => ({ labels: { recipient }, value })),
      );
    },
  });
  new Gauge({
    name: 'caravanserai_feed_kafka_pending_items',
    help: "Feed items not yet written to the recipient's Kafka topic, per recipient (from its first pass on)",
    labelNames: ['recipient'],
    registers,
    async collect() {
      const { rows } = await pool.query(
        `SELECT p.recipient, (SELECT count(*) FROM feed_items f WHERE f.recipient = p.recipient AND f.seq > p.relayed_seq)::int AS n
           FROM feed_kafka_progress p`,
      );
      metrics.set(
        this,
        rows.map((r) => ({ labels: { recipient: r.recipient }, value: r.n })),
      );
    },
  });
}
