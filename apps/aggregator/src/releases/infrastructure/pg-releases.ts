import { DomainError } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { rollUpReleasedFlows } from '../../infrastructure/released-rollups';
import { PG_POOL } from '../../infrastructure/tokens';
import { latestRelease, RELEASE_COLUMNS, toRelease } from '../../infrastructure/pg-latest-release';
import type { Releases } from '../../kernel/ports/releases';
import type { Release, ReleaseFrequency, ReleaseSchedule } from '../domain/release';

export async function listReleases(
  pool: Pool,
  limit: number,
): Promise<(Release & { cutBy: string; reason: string | null; flowCells: number; referrals: number })[]> {
  const { rows } = await pool.query(`SELECT ${RELEASE_COLUMNS}, cut_by, reason, flow_cells, referrals FROM releases ORDER BY release_id DESC LIMIT $1`, [
    limit,
  ]);
  return rows.map((r) => ({ ...toRelease(r), cutBy: r.cut_by, reason: r.reason, flowCells: Number(r.flow_cells), referrals: Number(r.referrals) }));
}

/**
 * Cuts a release: the flow cells (with their week and month rollups) and referral facts of days up
 * to `dataUntil` become what every answer reads, in one transaction (an answer sees the old release
 * or the new one, never a mix). Late records and retractions of earlier days arrive in the
 * projections at once but reach answers only with the next release. One cut at a time (an
 * advisory lock), across instances.
 */
export async function cutRelease(pool: Pool, cut: { dataUntil: string; by: string; reason: string | null }): Promise<Release> {
  const release = await inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('caravanserai.releases'))`);
    const latest = await latestRelease(client);
    if (latest && cut.dataUntil < latest.dataUntil) {
      throw new DomainError(
        'RELEASE.BACKWARDS',
        `dataUntil ${cut.dataUntil} is before the latest release's ${latest.dataUntil}: a release never takes data back`,
        'conflict',
      );
    }
    await client.query('TRUNCATE released_flow_counts, released_referral_facts');
    // In day order: a question's days lie on pages of their own, which the day's block-range index names.
    const flows = await client.query(`INSERT INTO released_flow_counts SELECT * FROM flow_counts WHERE day <= $1::date AND count <> 0 ORDER BY day`, [
      cut.dataUntil,
    ]);
    // Its week and month sums, which answers by week, month and year read for whole periods.
    await rollUpReleasedFlows(client);
    // Statistics now rather than when autovacuum comes by: without them the planner takes the new
    // rows for a handful and sorts the first answers' groups on disk instead of hashing them.
    await client.query('ANALYZE released_flow_counts, released_flow_counts_week, released_flow_counts_month');
    const referrals = await client.query(`INSERT INTO released_referral_facts SELECT * FROM referral_facts WHERE made_on <= $1::date AND status IS NOT NULL`, [
      cut.dataUntil,
    ]);
    const { rows } = await client.query(
      `INSERT INTO releases (data_until, cut_by, reason, flow_cells, referrals) VALUES ($1, $2, $3, $4, $5) RETURNING ${RELEASE_COLUMNS}`,
      [cut.dataUntil, cut.by, cut.reason, flows.rowCount ?? 0, referrals.rowCount ?? 0],
    );
    return toRelease(rows[0]);
  });
  await settleReleasedTables(pool);
  return release;
}

/** The tables a cut rewrites, which answers read. */
const RELEASED_TABLES = ['released_flow_counts', 'released_flow_counts_week', 'released_flow_counts_month', 'released_referral_facts'];

/**
 * VACUUMs the tables a cut has just rewritten, once it has committed (VACUUM runs outside a
 * transaction). Until a row's page is visited after its transaction committed, the row carries no
 * hint that it did: the first answers to read the new release would each look every row's
 * transaction up and write every page they read back with its hints set (measured on the bench's
 * 773,149 day cells: a first three-months-by-day read took 540 ms of PostgreSQL CPU on fresh pages
 * against 110–150 ms once they were hinted). VACUUM sets the hints and the visibility map in one
 * pass of its own, so that the first questions of a release cost what later ones do, and it
 * summarises the new pages in the day cells' block-range index, which names no page before that. The release is
 * in force already when this runs: a failure here costs only speed, so it is logged, not thrown.
 */
async function settleReleasedTables(pool: Pool): Promise<void> {
  try {
    await pool.query(`VACUUM ${RELEASED_TABLES.join(', ')}`);
    // VACUUM leaves the last, partial range of pages out of the block-range index: that too.
    await pool.query(`SELECT brin_summarize_new_values('released_flow_counts_day')`);
  } catch (err) {
    Logger.warn(`VACUUM after the release cut failed (first answers of this release will be slower): ${(err as Error).message}`, 'Releases');
  }
}

export async function readSchedule(db: Pool | PoolClient): Promise<ReleaseSchedule> {
  const { rows } = await db.query(`SELECT frequency, at_utc, set_by, set_at FROM release_schedule`);
  return { frequency: rows[0].frequency, atUtc: rows[0].at_utc, setBy: rows[0].set_by, setAt: new Date(rows[0].set_at).toISOString() };
}

export async function writeSchedule(pool: Pool, schedule: { frequency: ReleaseFrequency; atUtc: string; setBy: string }): Promise<ReleaseSchedule> {
  await pool.query(`UPDATE release_schedule SET frequency = $1, at_utc = $2, set_by = $3, set_at = now()`, [
    schedule.frequency,
    schedule.atUtc,
    schedule.setBy,
  ]);
  return readSchedule(pool);
}

/** The releases as the application reads and cuts them, over the aggregator's pool. */
@Injectable()
export class PgReleases implements Releases {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The release answers read now, or null before the first one. */
  latest(): Promise<Release | null> {
    return latestRelease(this.pool);
  }

  schedule(): Promise<ReleaseSchedule> {
    return readSchedule(this.pool);
  }

  cut(cut: { dataUntil: string; by: string; reason: string | null }): Promise<Release> {
    return cutRelease(this.pool, cut);
  }
}
