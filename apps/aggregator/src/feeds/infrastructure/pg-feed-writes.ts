import { inTransaction } from '@caravanserai/database';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import type { FeedItem } from '../../answers/feed-item';
import { appendFeedItems } from './pg-feed-items';

/** The channel a commit of new items is announced on (LISTEN/NOTIFY), for the live streams. */
export const FEED_CHANNEL = 'caravanserai_feed_items';

/** Arbitrary, fixed: one append to feed_items at a time, across every aggregator instance. */
const APPEND_LOCK = 0x5ca1f0;

/**
 * Appends items and marks their source done, in one transaction that holds a lock until its
 * commit: appends are serialised, so `seq` values become visible in their order and a reader that
 * has seen seq n will never later find a smaller one committed (no item is skipped by a cursor).
 * When every mark is already there (another instance, or a run before a crash, did the work)
 * nothing is written. Returns the number of new items.
 */
export async function appendAndMark(pool: Pool, items: { item: FeedItem; agreementId: string | null }[], marks: string[]): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const marked = await client.query(`INSERT INTO feed_marks (mark) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [marks]);
    if (marks.length > 0 && marked.rowCount === 0) return 0;
    const added = await appendFeedItems(client, items);
    if (added > 0) await client.query(`SELECT pg_notify($1, '')`, [FEED_CHANNEL]);
    return added;
  });
}

/** Which of `marks` are done. */
export async function markedOf(db: Pool | PoolClient, marks: string[]): Promise<Set<string>> {
  if (marks.length === 0) return new Set();
  const { rows } = await db.query(`SELECT mark FROM feed_marks WHERE mark = ANY($1::text[])`, [marks]);
  return new Set(rows.map((r) => r.mark));
}

/**
 * Everyone with a feed: the secretariat, every principal holding a reader key here (revoked or
 * expired keys included: a recipient that gets a new key finds its feed complete), every
 * recipient an agreement names, and every state that granted one.
 */
export async function feedRecipients(db: Pool | PoolClient): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT 'secretariat' AS p
     UNION SELECT principal FROM api_keys WHERE role = 'reader'
     UNION SELECT recipient FROM agreements WHERE recipient <> '*'
     UNION SELECT 'state:' || provider FROM agreements
     ORDER BY 1`,
  );
  return rows.map((r) => r.p);
}

/**
 * What is waiting for a writer, in one cheap read: the latest release when its items are not
 * written yet, whether an alert's latest version is not, and whether an agreement's latest
 * version or its expiry (`validUntil` before `today`) is not.
 */
export async function pendingWork(db: Pool | PoolClient, today: string): Promise<{ release: number | null; alerts: boolean; agreements: boolean }> {
  const { rows } = await db.query(
    `SELECT (SELECT r.release_id FROM (SELECT release_id FROM releases ORDER BY release_id DESC LIMIT 1) r
              WHERE NOT EXISTS (SELECT 1 FROM feed_marks m WHERE m.mark = 'release/' || r.release_id)) AS release,
            EXISTS (SELECT 1 FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM feed_marks m WHERE m.mark = 'alert/' || a.alert_id || '/' || a.version)) AS alerts,
            EXISTS (SELECT 1 FROM agreements a
                     WHERE NOT EXISTS (SELECT 1 FROM feed_marks m WHERE m.mark = 'agreement/' || a.agreement_id || '/' || a.version)
                        OR (a.status = 'active' AND (a.terms->>'validUntil') < $1
                            AND NOT EXISTS (SELECT 1 FROM feed_marks m WHERE m.mark = 'agreement/' || a.agreement_id || '/expired'))) AS agreements`,
    [today],
  );
  return { release: rows[0].release === null ? null : Number(rows[0].release), alerts: rows[0].alerts, agreements: rows[0].agreements };
}

/** Alert versions, to name each change (listAlerts gives the alert as stored, not its version). */
export async function alertVersions(db: Pool | PoolClient): Promise<Map<string, number>> {
  const { rows } = await db.query(`SELECT alert_id, version FROM alerts`);
  return new Map(rows.map((r) => [r.alert_id, Number(r.version)]));
}

/** Whether this service ever gave `seq` as a cursor of this recipient's feed (an item of it,
 * served or since hidden). */
export async function cursorGiven(db: Pool | PoolClient, recipient: string, seq: bigint): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM feed_items WHERE recipient = $1 AND seq = $2`, [recipient, seq.toString()]);
  return rows.length > 0;
}

/** The feed writes as the feed writer makes them, over the aggregator's pool. */
@Injectable()
export class PgFeedWrites {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  appendAndMark(items: { item: FeedItem; agreementId: string | null }[], marks: string[]): Promise<number> {
    return appendAndMark(this.pool, items, marks);
  }

  marked(marks: string[]): Promise<Set<string>> {
    return markedOf(this.pool, marks);
  }

  recipients(): Promise<string[]> {
    return feedRecipients(this.pool);
  }

  pendingWork(today: string): Promise<{ release: number | null; alerts: boolean; agreements: boolean }> {
    return pendingWork(this.pool, today);
  }

  alertVersions(): Promise<Map<string, number>> {
    return alertVersions(this.pool);
  }
}
