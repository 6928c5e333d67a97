import { MOVEMENT_RECORDED, MOVEMENT_RETRACTED, MovementEvent } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { Pool } from 'pg';
import { FlowDeltas } from '../../domain/flow-deltas';
import { applyFlowDeltas, findMovements, KnownMovement } from '../../infrastructure/pg-flow-projection';
import { addDelta } from '../../infrastructure/pg-regional-ingest';

export interface RebuildProgress {
  events: number;
  cells: number;
  seconds: number;
}

/**
 * Drops the flow projection and replays the movement events of the regional log into it, in log order, with the
 * same delta code as the live consumer. One transaction: queries see the old projection until the
 * new one is complete, and a live consumer waits on the table lock, then applies its batch on top
 * of the rebuilt projection (its events were not visible to the replay).
 */
export async function rebuildFlows(pool: Pool, onProgress: (p: RebuildProgress) => void = () => {}, chunk = 50_000): Promise<RebuildProgress> {
  const started = process.hrtime.bigint();
  const progress = (events: number, cells: number): RebuildProgress => ({
    events,
    cells,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  });
  return inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE flow_counts IN ACCESS EXCLUSIVE MODE');
    await client.query('TRUNCATE flow_counts');
    let after = 0;
    let events = 0;
    let cells = 0;
    for (;;) {
      const { rows } = await client.query<{
        global_position: string;
        event_id: string;
        type: string;
        provider: string;
        occurred_on: string;
        data: unknown;
      }>(
        `SELECT global_position, event_id, type, provider, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, data
           FROM regional_events WHERE global_position > $1 AND type = ANY($3::text[]) ORDER BY global_position LIMIT $2`,
        [after, chunk, [MOVEMENT_RECORDED, MOVEMENT_RETRACTED]],
      );
      if (rows.length === 0) break;
      const batch = rows.map(
        (r) => ({ eventId: r.event_id, type: r.type, provider: r.provider, occurredOn: r.occurred_on, data: r.data }) as MovementEvent,
      );
      const known = new Map<string, KnownMovement>();
      for (const e of batch) {
        if (e.type !== MOVEMENT_RETRACTED) known.set(e.eventId, { provider: e.provider, occurredOn: e.occurredOn, data: e.data });
      }
      const missing = batch.flatMap((e) => (e.type === MOVEMENT_RETRACTED && !known.has(e.data.movementEventId) ? [e.data.movementEventId] : []));
      for (const [id, m] of await findMovements(client, missing)) known.set(id, m);
      const deltas = new FlowDeltas();
      for (const e of batch) addDelta(deltas, e, known);
      cells += await applyFlowDeltas(client, deltas);
      events += rows.length;
      after = Number(rows[rows.length - 1].global_position);
      onProgress(progress(events, cells));
    }
    return progress(events, cells);
  });
}
