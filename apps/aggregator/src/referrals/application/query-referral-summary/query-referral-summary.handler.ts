import { PROVIDER_STATES, REFERRAL_STATUSES, ReferralStatus } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool, PoolClient } from 'pg';
import type { Granularity } from '../../../flows/domain/flow-query';
import { KEY_RANGE, Part, PartRule, perturb, publish } from '../../../disclosure/domain/cell-key';
import { cutsCondition, disclosureReport, DisclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import { FlowPlan, planFlows } from '../../../disclosure/domain/policy';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { latestRelease } from '../../../releases/infrastructure/pg-releases';
import { sqlFragment } from '../../../infrastructure/sql-fragment';
import { PG_POOL } from '../../../infrastructure/tokens';
import { Duration, GRANT_DIMENSION, percentileCont, ReferralDimension, ReferralFigures, ReferralSummary, ReferralSummaryRow } from '../../domain/referral-summary';
import { QueryReferralSummary } from './query-referral-summary.query';

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

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/**
 * The published figures of one group from its providers' parts. Each count is published part by
 * part (`publish`). A duration uses only the referrals of providers whose part of its count may be
 * shown: exact parts, and protected parts published at k + 1 or more (a count below k is only ever
 * shown as 0 or k, so k + 1 or more proves at least k referrals behind the median).
 */
export function publishFigures(parts: PartRow[], rule: PartRule): ReferralFigures {
  const pub = (name: string) => publish(parts.map((p) => part(p, name)), rule);
  const duration = (count: string, hoursOf: 'h_acceptance' | 'h_closure'): Duration => {
    const shown = parts.filter((p) => {
      const r = rule(p.part_provider);
      const { count: n, key } = part(p, count);
      return n > 0 && (r.exact || perturb(n, key, r.k) >= r.k + 1);
    });
    const values = shown.flatMap((p) => (p[hoursOf] ?? []).map(Number));
    return { count: pub(count), medianHours: round1(percentileCont(values, 0.5)), p90Hours: round1(percentileCont(values, 0.9)) };
  };
  const accepted = pub('accepted');
  const declined = pub('declined');
  return {
    referrals: pub('referrals'),
    byStatus: Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, pub(`status_${s}`)])) as Record<ReferralStatus, number>,
    accepted,
    declined,
    acceptanceRate: accepted + declined === 0 ? null : accepted / (accepted + declined),
    toAcceptance: duration('accepted', 'h_acceptance'),
    toClosure: duration('closure', 'h_closure'),
    stalled: pub('stalled'),
  };
}

const part = (p: PartRow, name: string): Part => ({ provider: p.part_provider, count: Number(p[`n_${name}`]), key: Number(p[`k_${name}`]) });

@QueryHandler(QueryReferralSummary)
export class QueryReferralSummaryHandler implements IQueryHandler<QueryReferralSummary, ReferralSummary> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: PgAgreementRegistry,
  ) {}

  /**
   * As for flows: each provider is cut to the grant that governs the caller (default deny, whole
   * closed periods of the latest release), and every count of every row and of the totals is
   * published part by part through the cell-key method — the caller's own state and k = 1 grants
   * exactly, every other provider's part perturbed with its k. Stalled is counted as of the
   * release's cut. Totals count each referral once (no unnest), whatever the grouping.
   */
  async execute({ query, principal }: QueryReferralSummary): Promise<ReferralSummary> {
    const used = [...query.groupBy.map((d) => GRANT_DIMENSION[d])];
    if (query.providers?.length) used.push('provider');
    if (query.categories?.length) used.push('category');
    if (query.referredTo?.length) used.push('referredTo');
    const grants = await this.registry.grants();
    const client = await this.pool.connect();
    try {
      // One snapshot for the release, its rows and totals: a cut in between never mixes two releases.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const release = await latestRelease(client);
      const plan = planFlows(
        { from: query.from, to: query.to, granularity: query.granularity, dimensionsUsed: [...new Set(used)], providers: query.providers },
        { id: principal },
        grants,
        PROVIDER_STATES,
        'referrals',
        new Date().toISOString().slice(0, 10),
        release,
      );
      const parts = release === null || plan.cuts.length === 0 ? { rows: [], totals: [] } : await this.select(client, query, plan, release);
      const waiting = await this.awaiting(client, plan);
      await client.query('COMMIT');
      return this.answer(query, principal, plan, release, parts, waiting);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private answer(
    query: QueryReferralSummary['query'],
    principal: string,
    plan: FlowPlan,
    release: ReleaseRef | null,
    parts: { rows: PartRow[]; totals: PartRow[] },
    awaitingReferralMade: number,
  ): ReferralSummary {
    const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
    const rule: PartRule = (provider) => {
      const cut = cuts.get(provider);
      return cut ? { exact: cut.exact, k: cut.minCellSize } : { exact: false, k: Number.MAX_SAFE_INTEGER };
    };
    const dims = query.groupBy;
    const groups = new Map<string, { row: { period: string } & Partial<Record<ReferralDimension, string>>; parts: PartRow[] }>();
    for (const p of parts.rows) {
      const key = JSON.stringify([p.period, ...dims.map((d) => p[d])]);
      const group = groups.get(key) ?? { row: { period: String(p.period), ...Object.fromEntries(dims.map((d) => [d, p[d]])) }, parts: [] };
      group.parts.push(p);
      groups.set(key, group);
    }
    const rows: ReferralSummaryRow[] = [...groups.values()]
      .map((g) => ({ ...g.row, ...publishFigures(g.parts, rule) }))
      .filter((r) => r.referrals !== 0);
    return {
      query,
      release,
      asOf: release?.cutAt ?? null,
      granularity: plan.granularity,
      from: plan.from,
      to: plan.to,
      rows,
      totals: publishFigures(parts.totals, rule),
      awaitingReferralMade,
      disclosure: report(principal, plan, release, query.stalledAfterHours),
    };
  }

  /** Each provider's part of each group (`rows`) and of the whole answer (`totals`), from the release. */
  private async select(client: PoolClient, query: QueryReferralSummary['query'], plan: FlowPlan, release: ReleaseRef): Promise<{ rows: PartRow[]; totals: PartRow[] }> {
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
    const select = [`${sqlFragment(PERIOD_SQL, plan.granularity, 'granularity')} AS period`, ...dims.map((d) => `${sqlFragment(DIMENSION_SQL, d, 'dimension')} AS "${d}"`)];
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

/** The disclosure block, with what is particular to referral summaries said in words. */
function report(principal: string, plan: FlowPlan, release: ReleaseRef | null, stalledAfterHours: number): DisclosureReport {
  const base = disclosureReport(principal, plan, release);
  if (release === null) return base;
  const notes = [
    `Stalled referrals are those still made or acknowledged ${stalledAfterHours} hours or more after they were made, counted as of the release's cut (${release.cutAt}).`,
    'Grouped by needs, a referral counts once under each of its needs; the totals count every referral once.',
  ];
  if (base.method.protected.length > 0) {
    notes.push(
      'Every count (referrals, each status, accepted, declined, stalled, and the counts behind the durations) is protected on its own, so they need not add up. ' +
        "Median and 90th-percentile hours use only the referrals of states whose part may be shown: exact parts, and protected parts published at k + 1 or more; other states' referrals are left out of that duration, which is empty (null) when none remain.",
    );
  }
  return { ...base, notes: [...base.notes, ...notes] };
}
