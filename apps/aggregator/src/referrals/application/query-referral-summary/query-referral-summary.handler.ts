import { PROVIDER_STATES, REFERRAL_STATUSES, ReferralStatus } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { Granularity } from '../../../flows/domain/flow-query';
import { disclose } from '../../../agreements/domain/disclosure';
import { cutsCondition, disclosureReport } from '../../../disclosure/domain/disclosure-report';
import { planFlows } from '../../../disclosure/domain/policy';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { sqlFragment } from '../../../infrastructure/sql-fragment';
import { PG_POOL } from '../../../infrastructure/tokens';
import { GRANT_DIMENSION, ReferralDimension, ReferralFigures, ReferralSummary, ReferralSummaryRow } from '../../domain/referral-summary';
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

const hours = (column: string) => `extract(epoch FROM f.${column} - f.referred_at) / 3600`;

/** The figures of one group; $3 is asOf, $4 the stalled threshold in hours. */
const FIGURES_SQL = `
  count(*) AS referrals,
  ${REFERRAL_STATUSES.map((s) => `count(*) FILTER (WHERE f.status = '${s}') AS "status_${s}"`).join(',\n  ')},
  count(f.accepted_at) AS accepted,
  count(f.declined_at) AS declined,
  count(f.accepted_at) AS to_acceptance_count,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${hours('accepted_at')}) AS to_acceptance_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${hours('accepted_at')}) AS to_acceptance_p90,
  count(f.closed_at) AS to_closure_count,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${hours('closed_at')}) AS to_closure_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${hours('closed_at')}) AS to_closure_p90,
  count(*) FILTER (WHERE f.status IN ('made', 'acknowledged') AND f.referred_at <= $3::timestamptz - make_interval(hours => $4::int)) AS stalled`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function figures(r: any): ReferralFigures {
  const accepted = Number(r.accepted);
  const declined = Number(r.declined);
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    referrals: Number(r.referrals),
    byStatus: Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, Number(r[`status_${s}`])])) as Record<ReferralStatus, number>,
    accepted,
    declined,
    acceptanceRate: accepted + declined === 0 ? null : accepted / (accepted + declined),
    toAcceptance: { count: Number(r.to_acceptance_count), medianHours: num(r.to_acceptance_median), p90Hours: num(r.to_acceptance_p90) },
    toClosure: { count: Number(r.to_closure_count), medianHours: num(r.to_closure_median), p90Hours: num(r.to_closure_p90) },
    stalled: Number(r.stalled),
  };
}

@QueryHandler(QueryReferralSummary)
export class QueryReferralSummaryHandler implements IQueryHandler<QueryReferralSummary, ReferralSummary> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: PgAgreementRegistry,
  ) {}

  /**
   * As for flows: each provider is cut to the grant that governs the caller (default deny), and a
   * row in which a provider has fewer referrals than its k is withheld whole, with complementary
   * rows so that no withheld row follows from the totals. Medians and rates of a withheld row are
   * withheld with its counts.
   */
  async execute({ query, principal }: QueryReferralSummary): Promise<ReferralSummary> {
    const used = [...query.groupBy.map((d) => GRANT_DIMENSION[d])];
    if (query.providers?.length) used.push('provider');
    if (query.categories?.length) used.push('category');
    if (query.referredTo?.length) used.push('referredTo');
    const plan = planFlows(
      { from: query.from, to: query.to, granularity: query.granularity, dimensionsUsed: [...new Set(used)], providers: query.providers },
      { id: principal },
      await this.registry.grants(),
      PROVIDER_STATES,
      'referrals',
      new Date().toISOString().slice(0, 10),
    );
    const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
    const params: unknown[] = [plan.from, plan.to, query.asOf, query.stalledAfterHours];
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
    const needs = dims.includes('needs')
      ? `CROSS JOIN LATERAL unnest(CASE WHEN cardinality(f.specific_needs) = 0 THEN ARRAY['none'] ELSE f.specific_needs END) AS need`
      : '';
    // The alias is the dimension's name, once sqlFragment has shown it to be one of the constants.
    const select = [`${sqlFragment(PERIOD_SQL, plan.granularity, 'granularity')} AS period`, ...dims.map((d) => `${sqlFragment(DIMENSION_SQL, d, 'dimension')} AS "${d}"`)];
    const groupBy = select.map((_, i) => String(i + 1));
    const client = await this.pool.connect();
    try {
      // One snapshot for rows and totals, so that they agree while events keep arriving.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query(
        `SELECT ${select.join(', ')}, ${FIGURES_SQL}
           FROM referral_facts f ${needs}
          WHERE ${where.join(' AND ')}
          GROUP BY ${groupBy.join(', ')}
          ORDER BY ${groupBy.join(', ')}`,
        params,
      );
      const { rows: totals } = await client.query(`SELECT ${FIGURES_SQL} FROM referral_facts f WHERE ${where.join(' AND ')}`, params);
      // Each provider's part of each row, for disclosure control.
      const { rows: parts } = await client.query(
        `SELECT ${select.join(', ')}, f.provider AS part_provider, count(*) AS n
           FROM referral_facts f ${needs}
          WHERE ${where.join(' AND ')}
            AND $3::timestamptz IS NOT NULL AND $4::int IS NOT NULL -- same parameters as the figures
          GROUP BY ${[...groupBy, String(groupBy.length + 1)].join(', ')}`,
        params,
      );
      const waitingParams: unknown[] = [];
      const { rows: waiting } = await client.query(
        `SELECT count(*) AS n FROM referral_facts f WHERE f.status IS NULL AND ${cutsCondition(plan.cuts, waitingParams, CUT_COLUMNS)}`,
        waitingParams,
      );
      await client.query('COMMIT');

      const keyOf = (r: Record<string, unknown>) => JSON.stringify([r.period, ...dims.map((d) => r[d])]);
      const contributions = new Map<string, Record<string, number>>();
      for (const p of parts) {
        const c = contributions.get(keyOf(p)) ?? {};
        c[p.part_provider] = Number(p.n);
        contributions.set(keyOf(p), c);
      }
      const disclosed = disclose(
        rows.map((r) => ({ key: keyOf(r), period: r.period, contributions: contributions.get(keyOf(r)) ?? {} })),
        (provider) => cuts.get(provider)?.minCellSize ?? Number.MAX_SAFE_INTEGER,
      );
      const withheld = (why: string) => ({ ...NULL_FIGURES, suppressed: why });
      return {
        query,
        granularity: plan.granularity,
        from: plan.from,
        to: plan.to,
        rows: rows.map((r, i) => {
          const row = { period: r.period } as ReferralSummaryRow;
          for (const d of dims) row[d] = r[d];
          const out = disclosed.cells[i];
          return Object.assign(row, out.suppressed ? withheld(out.suppressed) : figures(r));
        }),
        totals: disclosed.total.suppressed ? withheld(disclosed.total.suppressed) : figures(totals[0]),
        awaitingReferralMade: Number(waiting[0].n),
        disclosure: disclosureReport(principal, plan, null),
      };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}

const NULL_FIGURES = {
  referrals: null,
  byStatus: null,
  accepted: null,
  declined: null,
  acceptanceRate: null,
  toAcceptance: null,
  toClosure: null,
  stalled: null,
};
