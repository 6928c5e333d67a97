import { PROVIDER_STATES } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { CellInput, disclose } from '../../../agreements/domain/disclosure';
import { cutsCondition, disclosureReport } from '../../../disclosure/domain/disclosure-report';
import { FlowPlan, planFlows, ProviderCut } from '../../../disclosure/domain/policy';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../../config/aggregator.config';
import { sqlFragment } from '../../../infrastructure/sql-fragment';
import { PG_POOL } from '../../../infrastructure/tokens';
import { AnswerCache } from '../../domain/answer-cache';
import { dimensionsUsed, FlowAnswer, FlowDimension, FlowRow, Granularity, parseRoute } from '../../domain/flow-query';
import { QueryFlows } from './query-flows.query';

/** SQL expression of each dimension; only these strings ever reach the SQL text. */
const DIMENSION_SQL: Record<FlowDimension, string> = {
  route: `departed_from || '>' || provider || '>' || intended_destination`,
  provider: 'provider',
  borderCrossingPoint: 'border_crossing_point',
  direction: 'direction',
  departedFrom: 'departed_from',
  intendedDestination: 'intended_destination',
  citizenship: 'citizenship',
  category: 'category',
  sex: 'sex',
  ageBand: 'age_band',
};

/** ISO weeks start on Monday, as date_trunc('week') does; a period is labelled by its start. */
const PERIOD_SQL: Record<Granularity, string> = {
  day: `to_char(day, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', day), 'IYYY-"W"IW')`,
  month: `to_char(day, 'YYYY-MM')`,
  year: `to_char(day, 'YYYY')`,
};

/** Everything an answer depends on besides the projection: a plan's cuts hold sets. */
const planKey = (plan: FlowPlan) =>
  JSON.stringify(plan, (_, v: unknown) => (v instanceof Set ? [...v].sort() : v));

/**
 * Answers a flow query as the caller may see it: each provider's contribution is cut to the
 * grant that governs the caller (scope, dimensions, granularity, embargo), summed per cell with
 * each provider's part kept apart, and then put through disclosure control.
 *
 * An answer is a function of the caller, the query, the plan (which the agreements in force today
 * give) and the flow projection; the projection's version moves with every change to it, in the
 * same transaction. Answers are kept under those four (FLOWS_CACHE_ROWS), so a repeated question
 * costs two small reads (registry, version) until the next ingest or agreement change.
 */
@QueryHandler(QueryFlows)
export class QueryFlowsHandler implements IQueryHandler<QueryFlows, FlowAnswer> {
  private readonly answers: AnswerCache<FlowAnswer>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: PgAgreementRegistry,
    @Inject(AGGREGATOR_CONFIG) config: AggregatorConfig,
  ) {
    this.answers = new AnswerCache(config.FLOWS_CACHE_ROWS, (a) => a.rows.length + a.totals.byPeriod.length);
  }

  async execute({ query, principal }: QueryFlows): Promise<FlowAnswer> {
    const today = new Date().toISOString().slice(0, 10);
    const { grants, version } = await this.registry.grantsWithFlowsVersion();
    const plan = planFlows(
      { from: query.from, to: query.to, granularity: query.granularity, dimensionsUsed: dimensionsUsed(query), providers: query.providers },
      { id: principal },
      grants,
      PROVIDER_STATES,
      'movements',
      today,
    );
    const key = JSON.stringify([principal, query, planKey(plan), version]);
    return this.answers.get(key, () => this.answer(query, principal, plan));
  }

  private async answer(query: QueryFlows['query'], principal: string, plan: FlowPlan): Promise<FlowAnswer> {
    const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
    const rows = plan.cuts.length === 0 ? [] : await this.select(query, plan.from, plan.to, plan.granularity, plan.cuts);

    const dims = query.groupBy;
    type Cell = CellInput & { values: Record<string, string> };
    const cells = new Map<string, Cell>();
    for (const r of rows) {
      const values: Record<string, string> = {};
      for (const d of dims) values[d] = r[d];
      const key = JSON.stringify([r.period, ...dims.map((d) => r[d])]);
      const cell: Cell = cells.get(key) ?? { key, period: r.period, contributions: {}, values };
      cell.contributions[r.provider] = Number(r.count);
      cells.set(key, cell);
    }
    const inputs = [...cells.values()];
    const disclosed = disclose(inputs, (provider) => cuts.get(provider)?.minCellSize ?? Number.MAX_SAFE_INTEGER);

    const answerRows: FlowRow[] = disclosed.cells.map((out, i) => ({
      period: out.period,
      ...inputs[i].values,
      count: out.count,
      ...(out.suppressed ? { suppressed: out.suppressed } : {}),
    }));
    return {
      query,
      granularity: plan.granularity,
      from: plan.from,
      to: plan.to,
      rows: answerRows,
      totals: { ...disclosed.total, byPeriod: disclosed.byPeriod },
      disclosure: disclosureReport(principal, plan, disclosed.counts),
    };
  }

  /** Counts per period, group-by dimensions and provider, each provider within its cut. */
  private async select(query: QueryFlows['query'], from: string, to: string, granularity: Granularity, cuts: ProviderCut[]) {
    const params: unknown[] = [from, to];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['day BETWEEN $1::date AND $2::date'];
    where.push(cutsCondition(cuts, params, { provider: 'provider', day: 'day', category: 'category' }));
    const filter = (column: string, values: string[] | undefined) => {
      if (values?.length) where.push(`${column} = ANY(${p(values)}::text[])`);
    };
    filter('category', query.categories);
    filter('citizenship', query.citizenship);
    filter('direction', query.direction);
    filter('border_crossing_point', query.borderCrossingPoints);
    if (query.routes?.length) {
      const triples = query.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      where.push(
        `(departed_from, provider, intended_destination) IN (SELECT * FROM unnest(${p(triples.map((t) => t[0]))}::text[], ${p(triples.map((t) => t[1]))}::text[], ${p(triples.map((t) => t[2]))}::text[]))`,
      );
    }
    // The alias is the dimension's name, once sqlFragment has shown it to be one of the constants.
    const select = [`${sqlFragment(PERIOD_SQL, granularity, 'granularity')} AS period`, ...query.groupBy.map((d) => `${sqlFragment(DIMENSION_SQL, d, 'dimension')} AS "${d}"`), 'provider'];
    const groupBy = select.map((_, i) => String(i + 1));
    const sql = `SELECT ${select.join(', ')}, sum(count)::bigint AS count
                   FROM flow_counts
                  WHERE ${where.join(' AND ')}
                  GROUP BY ${groupBy.join(', ')}
                 HAVING sum(count) <> 0
                  ORDER BY ${groupBy.join(', ')}`;
    return (await this.pool.query(sql, params)).rows;
  }
}
