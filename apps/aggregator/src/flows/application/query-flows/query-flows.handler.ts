import { DomainError, PROVIDER_STATES } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { KEY_RANGE, Part, publish } from '../../../disclosure/domain/cell-key';
import { cutsCondition, disclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import { EmergencyContexts } from '../../../disclosure/domain/emergency-contexts.port';
import { EmergencyContext, emergencyNotFound, outsideScope } from '../../../disclosure/domain/emergency';
import { FlowPlan, planFlows, ProviderCut } from '../../../disclosure/domain/policy';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../../config/aggregator.config';
import { sqlFragment } from '../../../infrastructure/sql-fragment';
import { Clock, CLOCK, PG_POOL } from '../../../infrastructure/tokens';
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

/** Everything an answer depends on besides the release: a plan's cuts hold sets. */
const planKey = (plan: FlowPlan) =>
  JSON.stringify(plan, (_, v: unknown) => (v instanceof Set ? [...v].sort() : v));

/**
 * Answers a flow query as the caller may see it, from the latest release: each provider's
 * contribution is cut to the grant that governs the caller (scope, dimensions, granularity, whole
 * closed periods, data period), and every figure — each cell, each period's total, the grand
 * total — is published part by part: the caller's own state and k = 1 grants exactly, every other
 * provider's part through the cell-key method with its k (disclosure/domain/cell-key.ts). A figure
 * that comes to 0 is not listed, so absence never tells a true zero from a small count.
 *
 * An answer is a function of the caller, the query, the plan (which the agreements in force today
 * give) and the release; answers are kept under those (FLOWS_CACHE_ROWS), so a repeated question
 * costs one small read (registry and release) until the next release or agreement change.
 */
@QueryHandler(QueryFlows)
export class QueryFlowsHandler implements IQueryHandler<QueryFlows, FlowAnswer> {
  private readonly answers: AnswerCache<FlowAnswer>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: PgAgreementRegistry,
    @Inject(AGGREGATOR_CONFIG) config: AggregatorConfig,
    private readonly emergencies: EmergencyContexts,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.answers = new AnswerCache(config.FLOWS_CACHE_ROWS, (a) => a.rows.length + a.totals.byPeriod.length);
  }

  async execute({ query, principal }: QueryFlows): Promise<FlowAnswer> {
    const now = this.clock();
    const today = now.toISOString().slice(0, 10);
    const [{ grants, release }, emergency] = await Promise.all([this.registry.grantsWithRelease(), query.emergency ? this.emergencyOf(query, now) : undefined]);
    const plan = planFlows(
      { from: query.from, to: query.to, granularity: query.granularity, dimensionsUsed: dimensionsUsed(query), providers: query.providers, coarser: query.coarser },
      { id: principal },
      grants,
      PROVIDER_STATES,
      'movements',
      today,
      release,
      emergency,
    );
    // The plan holds the emergency's status and each cut's terms: an end or an activation changes the key.
    const key = JSON.stringify([principal, query, planKey(plan), release?.id ?? null]);
    return this.answers.get(key, () => this.answer(query, principal, plan, release));
  }

  /** The emergency asked under, with its activations now; 404 if none was declared, 400 for filters outside its scope. */
  private async emergencyOf(query: QueryFlows['query'], now: Date): Promise<EmergencyContext> {
    const context = await this.emergencies.context(query.emergency!, now);
    if (!context) throw emergencyNotFound(query.emergency!);
    const outside = outsideScope(context.emergency, query);
    if (outside.length > 0) {
      throw new DomainError('EMERGENCY.OUT_OF_SCOPE', outside.map((o) => o.message).join('; '), 'bad_request', { errors: outside });
    }
    return { emergency: context.emergency, activations: context.activations, now: context.now };
  }

  private async answer(query: QueryFlows['query'], principal: string, plan: FlowPlan, release: ReleaseRef | null): Promise<FlowAnswer> {
    const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
    const rule = (provider: string) => {
      const cut = cuts.get(provider);
      return cut ? { exact: cut.exact, k: cut.minCellSize } : { exact: false, k: Number.MAX_SAFE_INTEGER };
    };
    const rows = release === null || plan.cuts.length === 0 ? [] : await this.select(query, plan.from, plan.to, plan.granularity, plan.cuts, plan.emergency);

    const dims = query.groupBy;
    type Figure = { period: string | null; values: Record<string, string>; parts: Part[] };
    const cells = new Map<string, Figure>();
    const periods = new Map<string, Figure>();
    const grand: Figure = { period: null, values: {}, parts: [] };
    for (const r of rows) {
      const part: Part = { provider: r.part_provider, count: Number(r.count), key: Number(r.key) };
      if (r.level === 2) grand.parts.push(part);
      else if (r.level === 1) {
        const figure: Figure = periods.get(r.period) ?? { period: r.period, values: {}, parts: [] };
        figure.parts.push(part);
        periods.set(r.period, figure);
      } else {
        const values: Record<string, string> = {};
        for (const d of dims) values[d] = r[d];
        const key = JSON.stringify([r.period, ...dims.map((d) => r[d])]);
        const figure: Figure = cells.get(key) ?? { period: r.period, values, parts: [] };
        figure.parts.push(part);
        cells.set(key, figure);
      }
    }
    // With no group-by a period's cell is its total: one figure, one value.
    const cellFigures = dims.length === 0 ? [...periods.values()] : [...cells.values()];
    const answerRows: FlowRow[] = cellFigures
      .map((f) => ({ period: f.period!, ...f.values, count: publish(f.parts, rule) }))
      .filter((row) => row.count !== 0);
    const byPeriod = [...periods.values()]
      .map((f) => ({ period: f.period!, count: publish(f.parts, rule) }))
      .filter((p) => p.count !== 0);
    return {
      query,
      granularity: plan.granularity,
      from: plan.from,
      to: plan.to,
      release,
      rows: answerRows,
      totals: { count: publish(grand.parts, rule), byPeriod },
      disclosure: disclosureReport(principal, plan, release),
    };
  }

  /**
   * Counts and key sums per provider: per cell (level 0), per period (level 1) and over the whole
   * answer (level 2), each provider within its cut, from the latest release.
   */
  private async select(query: QueryFlows['query'], from: string, to: string, granularity: Granularity, cuts: ProviderCut[], emergency?: FlowPlan['emergency']) {
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
    // Under an emergency, only rows in its scope: its routes, or its crossing points.
    if (emergency) {
      const triples = emergency.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      where.push(
        `((departed_from, provider, intended_destination) IN (SELECT * FROM unnest(${p(triples.map((t) => t[0]))}::text[], ${p(triples.map((t) => t[1]))}::text[], ${p(triples.map((t) => t[2]))}::text[]))
          OR border_crossing_point = ANY(${p(emergency.borderCrossingPoints)}::text[]))`,
      );
    }
    if (query.routes?.length) {
      const triples = query.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      where.push(
        `(departed_from, provider, intended_destination) IN (SELECT * FROM unnest(${p(triples.map((t) => t[0]))}::text[], ${p(triples.map((t) => t[1]))}::text[], ${p(triples.map((t) => t[2]))}::text[]))`,
      );
    }
    // The alias is the dimension's name, once sqlFragment has shown it to be one of the constants.
    const dims = query.groupBy.map((d) => `"${d}"`);
    const inner = [`${sqlFragment(PERIOD_SQL, granularity, 'granularity')} AS period`, ...query.groupBy.map((d) => `${sqlFragment(DIMENSION_SQL, d, 'dimension')} AS "${d}"`)];
    // Each provider's part is grouped by part_provider, apart from a "provider" dimension asked for.
    const sets = [...(dims.length > 0 ? [`(period, ${dims.join(', ')}, part_provider)`] : []), '(period, part_provider)', '(part_provider)'];
    const level = dims.length > 0 ? `grouping(period) + grouping(${dims[0]})` : `grouping(period) + 1`;
    const sql = `SELECT period, ${[...dims, ''].join(', ')} part_provider, ${level} AS level,
                        sum(count)::bigint AS count, (sum(key_sum) % ${KEY_RANGE})::bigint AS key
                   FROM (SELECT ${inner.join(', ')}, provider AS part_provider, count, key_sum
                           FROM released_flow_counts
                          WHERE ${where.join(' AND ')}) f
                  GROUP BY GROUPING SETS (${sets.join(', ')})
                 HAVING sum(count) <> 0`;
    return (await this.pool.query(sql, params)).rows;
  }
}
