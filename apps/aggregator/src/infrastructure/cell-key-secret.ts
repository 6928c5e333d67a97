import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

const MIN_BYTES = 32;

/**
 * Puts the region's cell-key secret (CELL_KEY_SECRET_FILE) into this database, so that every
 * aggregator serving the region, and one rebuilt from nothing, gives the same published figures
 * (two different secrets would give a recipient two independent noises to average). A database
 * whose log already holds keys made with another secret is refused: its key sums would not match
 * what the secret gives, and changing it means a rebuild of every projection, not a restart.
 */
export async function applyCellKeySecret(pool: Pool, file: string): Promise<'unchanged' | 'set'> {
  const secret = readFileSync(file);
  if (secret.length < MIN_BYTES) throw new Error(`CELL_KEY_SECRET_FILE=${file}: ${secret.length} bytes; the cell-key secret needs at least ${MIN_BYTES}`);
  const { rows } = await pool.query<{ same: boolean; events: boolean }>(
    `SELECT secret = $1 AS same, EXISTS (SELECT 1 FROM regional_events) AS events FROM cell_key_secret`,
    [secret],
  );
  if (rows[0].same) return 'unchanged';
  if (rows[0].events) {
    throw new Error(
      `CELL_KEY_SECRET_FILE=${file} differs from the secret this database's record keys were made with; ` +
        "start with the database's own secret (unset it) or, to change the region's secret, rebuild the aggregator from an empty database (docs/operations.md)",
    );
  }
  await pool.query('UPDATE cell_key_secret SET secret = $1, set_at = now()', [secret]);
  return 'set';
}
