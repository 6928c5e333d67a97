import { MOVEMENT_RECORDED, MOVEMENT_RETRACTED, MovementEvent } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { Pool, PoolClient } from 'pg';
import { FlowDeltas } from '../../domain/flow-deltas';
import { applyFlowDeltas, bumpFlowsVersion, findMovements, KnownMovement } from '../../infrastructure/pg-flow-projection';
import { addDelta } from '../../infrastructure/pg-regional-ingest';

export interface RebuildProgress {
  events: number;
  /** Projection rows written, where the rebuild counts them. */
  cells?: number;
  seconds: number;
}

/**
 * Replays movement events of the regional log into the flow projection, in log order, with the
 * same delta code as the live consumer. Only pooled providers' events are projected (or one
 * provider's, when its held events are released). Runs in the caller's transaction.
 */
export async function replayMovements(
  client: PoolClient,
  options: { provider?: string; chunk?: number; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const started = process.hrtime.bigint();
  const progress = (events: number): RebuildProgress => ({ events, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  const chunk = options.chunk ?? 50_000;
  let after = 0;
  let events = 0;
  for (;;) {
    const { rows } = await client.query<{ global_position: string; event_id: string; type: string; provider: string; occurred_on: string; data: unknown }>(
      `SELECT e.global_position, e.event_id, e.type, e.provider, to_char(e.occurred_on, 'YYYY-MM-DD') AS occurred_on, e.data
         FROM regional_events e JOIN provider_pool p ON p.provider = e.provider AND p.pooled_at IS NOT NULL
        WHERE e.global_position > $1 AND e.type IN ($3, $4) AND ($5::text IS NULL OR e.provider = $5)
        ORDER BY e.global_position LIMIT $2`,
      [after, chunk, MOVEMENT_RECORDED, MOVEMENT_RETRACTED, options.provider ?? null],
    );
    if (rows.length === 0) break;
    const batch = rows.map((r) => ({ eventId: r.event_id, type: r.type, provider: r.provider, occurredOn: r.occurred_on, data: r.data }) as MovementEvent);
    const known = new Map<string, KnownMovement>();
    for (const e of batch) {
      if (e.type === MOVEMENT_RECORDED) known.set(e.eventId, { provider: e.provider, occurredOn: e.occurredOn, data: e.data });
    }
    const missing = batch.flatMap((e) => (e.type === MOVEMENT_RETRACTED && !known.has(e.data.movementEventId) ? [e.data.movementEventId] : []));
    for (const [id, m] of await findMovements(client, missing)) known.set(id, m);
    const deltas = new FlowDeltas();
    for (const e of batch) addDelta(deltas, e, known);
    await applyFlowDeltas(client, deltas);
    events += rows.length;
    after = Number(rows[rows.length - 1].global_position);
    options.onProgress?.(progress(events));
  }
  return progress(events);
}

/**
 * Drops the flow projection and replays the regional event log into it. One transaction: queries
 * see the old projection until the new one is complete, and a live consumer waits on the table
 * lock, then applies its batch on top of the rebuilt projection (its events were not visible to
 * the replay).
 */
export async function rebuildFlows(pool: Pool, onProgress: (p: RebuildProgress) => void = () => {}, chunk = 50_000): Promise<RebuildProgress> {
  return inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE flow_counts IN ACCESS EXCLUSIVE MODE');
    await client.query('TRUNCATE flow_counts');
    await bumpFlowsVersion(client);
    return replayMovements(client, { chunk, onProgress });
  });
}
