import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import type { QuarantineCounts, QuarantineList } from '../../kernel/ports/quarantine-list';

export type QuarantineStatus = 'open' | 'replayed' | 'all';

export interface QuarantinedMessage {
  id: number;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason: string;
  receivedAt: Date;
  payload: string | null;
  replayedAt: Date | null;
  replayOutcome: string | null;
  replayedPayload: string | null;
}

/** One page of the quarantine, oldest first, by id (keyset paging: `after` is the last id seen). */
export async function listQuarantine(pool: Pool, { status, after, limit }: { status: QuarantineStatus; after: number; limit: number }) {
  const filter = status === 'open' ? 'AND replayed_at IS NULL' : status === 'replayed' ? 'AND replayed_at IS NOT NULL' : '';
  const { rows } = await pool.query(
    `SELECT id, topic, kafka_partition, kafka_offset, message_key, reason, received_at, payload, replayed_at, replay_outcome, replayed_payload
       FROM quarantine WHERE id > $1 ${filter} ORDER BY id LIMIT $2`,
    [after, limit + 1],
  );
  const items: QuarantinedMessage[] = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    topic: r.topic,
    partition: r.kafka_partition,
    offset: String(r.kafka_offset),
    key: r.message_key,
    reason: r.reason,
    receivedAt: r.received_at,
    payload: r.payload,
    replayedAt: r.replayed_at,
    replayOutcome: r.replay_outcome,
    replayedPayload: r.replayed_payload,
  }));
  const counts = await quarantineCounts(pool);
  return { items, next: rows.length > limit ? items[items.length - 1].id : null, ...counts };
}

export async function quarantineCounts(pool: Pool): Promise<QuarantineCounts> {
  const { rows } = await pool.query<{ open: string; replayed: string }>(
    'SELECT count(*) FILTER (WHERE replayed_at IS NULL) AS open, count(*) FILTER (WHERE replayed_at IS NOT NULL) AS replayed FROM quarantine',
  );
  // Reasons carry details (ids, field paths); grouped by their first clause to stay readable.
  const { rows: reasons } = await pool.query<{ reason: string; n: string }>(
    `SELECT split_part(reason, ':', 1) AS reason, count(*) AS n FROM quarantine WHERE replayed_at IS NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
  );
  return {
    open: Number(rows[0].open),
    replayed: Number(rows[0].replayed),
    byReason: reasons.map((r) => ({ reason: r.reason, open: Number(r.n) })),
  };
}

/** The counts over the aggregator's pool, for the other contexts (the kernel's QuarantineList). */
@Injectable()
export class PgQuarantineList implements QuarantineList {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  counts(): Promise<QuarantineCounts> {
    return quarantineCounts(this.pool);
  }
}
