import { inTransaction } from '@caravanserai/database';
import { Pool, PoolClient } from 'pg';
import type { RebuildProgress } from '../../infrastructure/rebuild-progress';
import { logPositions, projectMovementRange } from './pg-flow-projection';

/** Global positions of the log per statement of the replay (see replayMovements). */
export const REPLAY_CHUNK = 1_000_000;

/**
 * Memory for one statement's sort or hash of the replay (transaction-local): a chunk of a million
 * events sums to some 250,000 cells, about 60 MiB of hash table; with PostgreSQL's default (4 MB)
 * the sums spill to disk.
 */
const REPLAY_WORK_MEM = '64MB';

/**
 * Projects the movement events of the regional log into the flow projection, inside PostgreSQL:
 * for each chunk of `chunk` global positions, one statement sums the chunk's deltas per cell (+1
 * per movement recorded, -1 on the movement a retraction retracts, wherever in the log that is)
 * and adds them to flow_counts; the events never leave the database. Only pooled providers' events
 * are projected (or one provider's, when its held events are released). Addition commutes, so
 * the result is the one the live consumer reaches applying the same events batch by batch. Runs
 * in the caller's transaction. Positions are
 * those of the log as the replay starts: later events are the live consumer's, which applies them
 * itself once the caller commits.
 */
export async function replayMovements(
  client: PoolClient,
  options: { provider?: string; chunk?: number; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const started = process.hrtime.bigint();
  const chunk = options.chunk ?? REPLAY_CHUNK;
  if (!(chunk >= 1)) throw new Error(`replay chunk must be at least 1 position, got ${chunk}`);
  let events = 0;
  let cells = 0;
  const progress = (): RebuildProgress => ({ events, cells, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  await client.query(`SELECT set_config('work_mem', $1, true)`, [REPLAY_WORK_MEM]);
  const { after, last } = await logPositions(client);
  for (let from = after; from < last; from += chunk) {
    const done = await projectMovementRange(client, from, Math.min(from + chunk, last), options.provider);
    events += done.events;
    cells += done.cells;
    options.onProgress?.(progress());
  }
  return progress();
}

/**
 * Drops the flow projection and replays the regional event log into it. One transaction: queries
 * see the old projection until the new one is complete, and a live consumer waits on the table
 * lock, then applies its batch on top of the rebuilt projection (its events were not visible to
 * the replay).
 */
export async function rebuildFlows(pool: Pool, onProgress: (p: RebuildProgress) => void = () => {}, chunk = REPLAY_CHUNK): Promise<RebuildProgress> {
  return inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE flow_counts IN ACCESS EXCLUSIVE MODE');
    await client.query('TRUNCATE flow_counts');
    return replayMovements(client, { chunk, onProgress });
  });
}
