import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { ReleaseRef } from '../disclosure/domain/disclosure-report';

/** A release's columns as every reader of the releases table selects them. */
export const RELEASE_COLUMNS = `release_id, cut_at, to_char(data_until, 'YYYY-MM-DD') AS data_until`;
export const toRelease = (r: QueryResultRow): ReleaseRef => ({ id: Number(r.release_id), cutAt: new Date(r.cut_at).toISOString(), dataUntil: r.data_until });

/** The release answers read now, or null before the first one: in the caller's transaction when
 * it reads the released tables in the same snapshot (the referral summary), else on the pool. */
export async function latestRelease(db: Pool | PoolClient): Promise<ReleaseRef | null> {
  const { rows } = await db.query(`SELECT ${RELEASE_COLUMNS} FROM releases ORDER BY release_id DESC LIMIT 1`);
  return rows.length === 0 ? null : toRelease(rows[0]);
}
