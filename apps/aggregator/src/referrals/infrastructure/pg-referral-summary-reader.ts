import { REFERRAL_STATUSES } from '@caravanserai/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { KEY_RANGE } from '../../disclosure/domain/cell-key';
import { cutsCondition, ReleaseRef } from '../../disclosure/domain/disclosure-report';
import type { FlowPlan } from '../../disclosure/domain/policy';
import type { Granularity } from '../../answers/flow-answer';
import { sqlFragment } from '../../infrastructure/sql-fragment';
import { PG_POOL } from '../../infrastructure/tokens';
import { latestRelease } from '../../infrastructure/pg-latest-release';
import type { ReferralDimension, ReferralSummaryQuery } from '../../answers/referral-summary';

/** SQL expression of each dimension; only these strings ever reach the SQL text. */
const DIMENSION_SQL: Record<ReferralDimension, string> = {
  provider: 'f.provider',
  category: 'f.category',
  referredTo: 'f.referred_to',
  status: 'f.status',
  needs: 'need',
};

/** A referral's period is the local day it was made; ISO weeks start on Monday. */
const PERIOD_SQL: Record<Granularity, string> = {
  day: `to_char(f.made_on, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', f.made_on), 'IYYY-"W"IW')`,
  month: `to_char(f.made_on, 'YYYY-MM')`,
  year: `to_char(f.made_on, 'YYYY')`,
};

const CUT_COLUMNS = { provider: 'f.provider', day: 'f.made_on', category: 'f.category' };

/**
 * Every count the answer publishes, by the referrals it counts. $3 is the release's cut (stalled
 * is counted as of it), $4 the stalled threshold in hours. `accepted` is also the count of
 * toAcceptance (the same referrals, so the same published value); `closure` that of toClosure.
 */
const COUNTS: { name: string; where: string }[] = [
  { name: 'referrals', where: 'true' },
  ...REFERRAL_STATUSES.map((s) => ({ name: `status_${s}`, where: `f.status = '${s}'` })),
  { name: 'accepted', where: 'f.accepted_at IS NOT NULL' },
  { name: 'declined', where: 'f.declined_at IS NOT NULL' },
  { name: 'closure', where: 'f.closed_at IS NOT NULL' },
  { name: 'stalled', where: `f.status IN ('made', 'acknowledged') AND f.referred_at <= $3::timestamptz - make_interval(hours => $4::int)` },
];

const hours = (column: string) => `(extract(epoch FROM f.${column} - f.referred_at) / 3600)::float8`;

/** Per provider part of a group: count and key sum (mod 2^32) of each figure, and the hours of its
 * referrals to acceptance and to closure (for the durations, which only use parts that may be shown). */
const PART_SQL = `
  f.provider AS part_provider,
  ${COUNTS.map(
    (c) =>
      `count(*) FILTER (WHERE ${c.where}) AS "n_${c.name}", (coalesce(sum(f.record_key) FILTER (WHERE ${c.where}), 0) % ${KEY_RANGE})::bigint AS "k_${c.name}"`,
  ).join(',\n  ')},
  array_agg(${hours('accepted_at')}) FILTER (WHERE f.accepted_at IS NOT NULL) AS h_acceptance,
  array_agg(${hours('closed_at')}) FILTER (WHERE f.closed_at IS NOT NULL) AS h_closure`;

export type PartRow = Record<string, unknown> & { part_provider: string; h_acceptance: number[] | null; h_closure: number[] | null };

/** What one summary reads, in one snapshot: the release, the plan made for it, each provider's parts, and the caller's own referrals still waiting for their ReferralMade. */
export interface ReferralSummaryRead {
  release: ReleaseRef | null;
  plan: FlowPlan;
  parts: { rows: PartRow[]; totals: PartRow[] };
  awaiting: number;
}

/** The referral summary's read of the latest release (released_referral_facts) and of the live projection. */
@Injectable()
export class PgReferralSummaryReader {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Reads the latest release, plans the answer for it (`planFor`), then its parts, in one
   * snapshot: a cut in between never mixes two releases. */
  async read(query: ReferralSummaryQuery, planFor: (release: ReleaseRef | null) => FlowPlan): Promise<ReferralSummaryRead> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const release = await latestRelease(client);
      const plan = planFor(release);
      const parts = release === null || plan.cuts.length === 0 ? { rows: [], totals: [] } : await this.select(client, query, plan, release);
      const awaiting = await this.awaiting(client, plan);
      await client.query('COMMIT');
      return { release, plan, parts, awaiting };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Each provider's part of each group (`rows`) and of the whole answer (`totals`), from the release. */
  private async select(client: PoolClient, query: ReferralSummaryQuery, plan: FlowPlan, release: ReleaseRef): Promise<{ rows: PartRow[]; totals: PartRow[] }> {
    const params: unknown[] = [plan.from, plan.to, release.cutAt, query.stalledAfterHours];
    const where = ['f.status IS NOT NULL', 'f.made_on BETWEEN $1::date AND $2::date', cutsCondition(plan.cuts, params, CUT_COLUMNS)];
    const filter = (column: string, values: string[] | undefined) => {
      if (!values?.length) return;
      params.push(values);
      where.push(`${column} = ANY($${params.length}::text[])`);
    };
    filter('f.provider', query.providers);
    filter('f.category', query.categories);
    filter('f.referred_to', query.referredTo);

    const dims = query.groupBy;
    // Grouped by needs, a referral counts once under each of its needs (that is the dimension);
    // the totals below read the same referrals without this, each once.
    const needs = dims.includes('needs')
      ? `CROSS JOIN LATERAL unnest(CASE WHEN cardinality(f.specific_needs) = 0 THEN ARRAY['none'] ELSE f.specific_needs END) AS need`
      : '';
    // The alias is the dimension's name, once sqlFragment has shown it to be one of the constants.
    const select = [
      `${sqlFragment(PERIOD_SQL, plan.granularity, 'granularity')} AS period`,
      ...dims.map((d) => `${sqlFragment(DIMENSION_SQL, d, 'dimension')} AS "${d}"`),
    ];
    const groupBy = [...select.map((_, i) => String(i + 1)), 'part_provider'];
    const { rows } = await client.query(
      `SELECT ${select.join(', ')}, ${PART_SQL}
         FROM released_referral_facts f ${needs}
        WHERE ${where.join(' AND ')}
        GROUP BY ${groupBy.join(', ')}
        ORDER BY ${groupBy.join(', ')}`,
      params,
    );
    const { rows: totals } = await client.query(
      `SELECT ${PART_SQL}
         FROM released_referral_facts f
        WHERE ${where.join(' AND ')}
        GROUP BY part_provider`,
      params,
    );
    return { rows, totals };
  }

  /** The caller's own referrals still waiting for their ReferralMade, live (its own data only). */
  private async awaiting(client: PoolClient, plan: FlowPlan): Promise<number> {
    const own = plan.cuts.filter((c) => c.basis === 'own-data').map((c) => c.provider);
    if (own.length === 0) return 0;
    const { rows } = await client.query(`SELECT count(*) AS n FROM referral_facts WHERE status IS NULL AND provider = ANY($1::text[])`, [own]);
    return Number(rows[0].n);
  }
}
