import { REFERRAL_STATUSES, ReferralStatus } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { Granularity } from '../../../flows/domain/flow-query';
import { PG_POOL } from '../../../infrastructure/tokens';
import { ReferralDimension, ReferralFigures, ReferralSummary, ReferralSummaryRow } from '../../domain/referral-summary';
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
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ query }: QueryReferralSummary): Promise<ReferralSummary> {
    const params: unknown[] = [query.from, query.to, query.asOf, query.stalledAfterHours];
    const where = ['f.status IS NOT NULL', 'f.made_on BETWEEN $1::date AND $2::date'];
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
    const select = [`${PERIOD_SQL[query.granularity]} AS period`, ...dims.map((d) => `${DIMENSION_SQL[d]} AS "${d}"`)];
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
      const { rows: waiting } = await client.query(`SELECT count(*) AS n FROM referral_facts WHERE status IS NULL`);
      await client.query('COMMIT');
      return {
        query,
        rows: rows.map((r) => {
          const row = { period: r.period } as ReferralSummaryRow;
          for (const d of dims) row[d] = r[d];
          return Object.assign(row, figures(r));
        }),
        totals: figures(totals[0]),
        awaitingReferralMade: Number(waiting[0].n),
      };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}
