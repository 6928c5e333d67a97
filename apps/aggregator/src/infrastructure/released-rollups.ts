import type { PoolClient } from 'pg';
import { FLOW_COLUMN, FLOW_COLUMNS } from './flow-columns';

/** Every key column but the day, which a rollup replaces by its period's first day. */
const KEY_BUT_DAY = FLOW_COLUMNS.filter((c) => c !== FLOW_COLUMN.day);

/**
 * Sums the released day cells (released_flow_counts, just cut) into the week and month rollups, in
 * the caller's transaction: one row per period and cell, `count` and `key_sum` summed as they are
 * (the key sums are reduced mod 2^32 only when an answer sums them, as for the day cells, so a
 * rollup row adds up to exactly what its days do). Returns the rows written per rollup.
 */
export async function rollUpReleasedFlows(client: PoolClient): Promise<Record<'week' | 'month', number>> {
  // The sums hash in memory (about 90 MB for the week rows of 773,149 day cells) instead of sorting
  // on disk with PostgreSQL's 4 MB, as the rebuild does; for this transaction only.
  await client.query(`SET LOCAL work_mem = '64MB'`);
  const written = { week: 0, month: 0 };
  for (const rollup of ['week', 'month'] as const) {
    await client.query(`TRUNCATE released_flow_counts_${rollup}`);
    // In the order of the (provider, day) index, so that one provider's rows lie on few pages.
    const { rowCount } = await client.query(
      `INSERT INTO released_flow_counts_${rollup} (${FLOW_COLUMNS.join(', ')}, count, key_sum)
       SELECT date_trunc('${rollup}', ${FLOW_COLUMN.day})::date, ${KEY_BUT_DAY.join(', ')}, sum(count), sum(key_sum)
         FROM released_flow_counts
        GROUP BY ${FLOW_COLUMNS.map((_, i) => i + 1).join(', ')}
        ORDER BY 2, 1`,
    );
    written[rollup] = rowCount ?? 0;
  }
  return written;
}
