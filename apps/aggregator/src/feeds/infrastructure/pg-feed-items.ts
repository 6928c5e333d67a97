import type { Pool, PoolClient } from 'pg';
import type { FeedItem, StoredFeedItem } from '../../answers/feed-item';

/** Stores items; an item already in the recipient's feed (same id) is left as it was, so that a
 * writer may run again after a crash without duplicating anything. Returns how many were new. */
export async function appendFeedItems(db: Pool | PoolClient, items: { item: FeedItem; agreementId: string | null }[]): Promise<number> {
  if (items.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO feed_items (recipient, item_id, kind, agreement_id, occurred_at, item)
     SELECT x.recipient, x.id, x.kind, x.agreement_id, x.occurred_at, x.item
       FROM jsonb_to_recordset($1::jsonb) AS x(recipient text, id text, kind text, agreement_id text, occurred_at timestamptz, item jsonb)
     ON CONFLICT (recipient, item_id) DO NOTHING`,
    [
      JSON.stringify(
        items.map(({ item, agreementId }) => ({
          recipient: item.recipient,
          id: item.id,
          kind: item.kind,
          agreement_id: agreementId,
          occurred_at: item.occurredAt,
          item,
        })),
      ),
    ],
  );
  return result.rowCount ?? 0;
}

/** `cursor` → the seq it stands for; null for a cursor this service never gave. */
export function seqOfCursor(cursor: string): bigint | null {
  return /^(0|[1-9][0-9]{0,18})$/.test(cursor) ? BigInt(cursor) : null;
}

/**
 * The recipient's items after `afterSeq`, in order, at most `limit`. Items computed under an
 * agreement that is no longer in force now (revoked, expired, replaced) are not served any more,
 * except the item that reports the change itself (`agreement.*`).
 */
export async function readFeedItems(db: Pool | PoolClient, recipient: string, afterSeq: bigint, limit: number): Promise<StoredFeedItem[]> {
  const { rows } = await db.query(
    `SELECT f.seq::text AS seq, f.item
       FROM feed_items f
      WHERE f.recipient = $1 AND f.seq > $2
        AND (f.agreement_id IS NULL OR f.kind LIKE 'agreement.%' OR f.agreement_id IN (
             SELECT agreement_id::text FROM agreements
              WHERE status = 'active' AND (terms->>'validUntil' IS NULL OR (terms->>'validUntil')::timestamptz > now())))
      ORDER BY f.seq
      LIMIT $3`,
    [recipient, afterSeq.toString(), limit],
  );
  return rows.map((r) => ({ cursor: r.seq, item: r.item }));
}
