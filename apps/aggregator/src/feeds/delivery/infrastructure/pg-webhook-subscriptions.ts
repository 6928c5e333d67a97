import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

/** A subscription as its owner sees it (GET /v1/webhooks/:id). */
export interface WebhookSubscription {
  id: string;
  url: string;
  description: string | null;
  status: 'active' | 'parked';
  /** The feed cursor delivered up to: the next delivery is the first item after it. */
  cursor: string;
  delivered: number;
  /** Consecutive failed attempts at the next item. */
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  /** The item the subscription stopped at after WEBHOOK_MAX_ATTEMPTS failures. */
  parked: { itemId: string; at: string } | null;
  createdAt: string;
}

const COLUMNS = `id, url, description, status, delivered_seq::text AS cursor, delivered_count, attempts, last_error,
  last_attempt_at, next_attempt_at, parked_item_id, parked_at, created_at`;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

interface SubscriptionRow {
  id: string;
  url: string;
  description: string | null;
  status: 'active' | 'parked';
  cursor: string;
  delivered_count: string;
  attempts: number;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  parked_item_id: string | null;
  parked_at: Date | null;
  created_at: Date;
}

function toSubscription(r: SubscriptionRow): WebhookSubscription {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    status: r.status,
    cursor: r.cursor,
    delivered: Number(r.delivered_count),
    attempts: r.attempts,
    lastError: r.last_error,
    lastAttemptAt: iso(r.last_attempt_at),
    nextAttemptAt: r.status === 'active' ? iso(r.next_attempt_at) : null,
    parked: r.parked_item_id ? { itemId: r.parked_item_id, at: iso(r.parked_at)! } : null,
    createdAt: iso(r.created_at)!,
  };
}

/** The newest seq of the recipient's feed now, as a cursor ('0' for an empty feed). */
async function latestSeq(db: Pool | PoolClient, recipient: string): Promise<string> {
  const { rows } = await db.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM feed_items WHERE recipient = $1`, [recipient]);
  return rows[0].seq;
}

/**
 * A new subscription, delivering from just after `afterSeq` (default: the feed's newest item now,
 * so only what happens from now on). Null when the recipient already has `max` subscriptions; the
 * count and the insert are one transaction under a per-recipient lock so two requests cannot pass it.
 */
export async function createSubscription(
  pool: Pool,
  s: { recipient: string; url: string; description: string | null; afterSeq: bigint | null },
  max: number,
): Promise<WebhookSubscription | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_subscriptions:' || $1))`, [s.recipient]);
    const { rows: count } = await client.query(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE recipient = $1`, [s.recipient]);
    if (count[0].n >= max) {
      await client.query('ROLLBACK');
      return null;
    }
    const after = s.afterSeq === null ? await latestSeq(client, s.recipient) : s.afterSeq.toString();
    const { rows } = await client.query(
      `INSERT INTO webhook_subscriptions (id, recipient, url, description, delivered_seq) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [randomUUID(), s.recipient, s.url, s.description, after],
    );
    await client.query('COMMIT');
    return toSubscription(rows[0]);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export async function listSubscriptions(pool: Pool, recipient: string): Promise<WebhookSubscription[]> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE recipient = $1 ORDER BY created_at, id`, [recipient]);
  return rows.map(toSubscription);
}

/** The recipient's subscription, or null: another recipient's is as absent as one that never was. */
export async function findSubscription(pool: Pool, recipient: string, id: string): Promise<WebhookSubscription | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1 AND recipient = $2`, [id, recipient]);
  return rows[0] ? toSubscription(rows[0]) : null;
}

/** Waits for a delivery in flight to finish (its row lock), then removes the subscription. */
export async function deleteSubscription(pool: Pool, recipient: string, id: string): Promise<boolean> {
  const result = await pool.query(`DELETE FROM webhook_subscriptions WHERE id = $1 AND recipient = $2`, [id, recipient]);
  return (result.rowCount ?? 0) > 0;
}

export type RedeliverOutcome = { ok: true; subscription: WebhookSubscription } | { ok: false; reason: 'not_found' | 'ahead'; cursor?: string };

/**
 * Active again, from the item it was parked at (or from just after `afterSeq`, which may not be
 * beyond what was delivered: skipping items is not a redelivery), at once and with no failure counted.
 */
export async function redeliver(pool: Pool, recipient: string, id: string, afterSeq: bigint | null): Promise<RedeliverOutcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`SELECT delivered_seq::text AS cursor FROM webhook_subscriptions WHERE id = $1 AND recipient = $2 FOR UPDATE`, [
      id,
      recipient,
    ]);
    if (!rows[0]) {
      await client.query('ROLLBACK');
      return { ok: false, reason: 'not_found' };
    }
    if (afterSeq !== null && afterSeq > BigInt(rows[0].cursor)) {
      await client.query('ROLLBACK');
      return { ok: false, reason: 'ahead', cursor: rows[0].cursor };
    }
    const { rows: updated } = await client.query(
      `UPDATE webhook_subscriptions
          SET status = 'active', attempts = 0, next_attempt_at = now(), parked_item_id = NULL, parked_at = NULL,
              delivered_seq = coalesce($3::bigint, delivered_seq)
        WHERE id = $1 AND recipient = $2 RETURNING ${COLUMNS}`,
      [id, recipient, afterSeq?.toString() ?? null],
    );
    await client.query('COMMIT');
    return { ok: true, subscription: toSubscription(updated[0]) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
