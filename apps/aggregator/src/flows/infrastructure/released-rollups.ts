import type { PoolClient } from 'pg';
import type { Rollup } from '../domain/rollup-split';
import { FLOW_COLUMN, FLOW_COLUMNS } from './flow-columns';

/** Every key column but the day, which a rollup replaces by its period's first day. */
const KEY_BUT_DAY = FLOW_COLUMNS.filter((c) => c !== FLOW_COLUMN.day);

/**
 * Sums the released day cells (released_flow_counts, just cut) into the week and month rollups, in
 * the caller's transaction: one row per period and cell, `count` and `key_sum` summed as they are
 * (the key sums are reduced mod 2^32 only when an answer sums them, as for the day cells, so a
 * rollup row adds up to exactly what its days do). Returns the rows written per rollup.
 */
export async function rollUpReleasedFlows(client: PoolClient): Promise<Record<Rollup, number>> {
  const written = { week: 0, month: 0 };
  for (const rollup of ['week', 'month'] as const) {
    await client.query(`TRUNCATE released_flow_counts_${rollup}`);
    const { rowCount } = await client.query(
      `INSERT INTO released_flow_counts_${rollup} (${FLOW_COLUMNS.join(', ')}, count, key_sum)
       SELECT date_trunc('${rollup}', ${FLOW_COLUMN.day})::date, ${KEY_BUT_DAY.join(', ')}, sum(count), sum(key_sum)
         FROM released_flow_counts
        GROUP BY ${FLOW_COLUMNS.map((_, i) => i + 1).join(', ')}`,
    );
    written[rollup] = rowCount ?? 0;
  }
  return written;
}
