import { DomainError, PROVIDER_STATES } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Part, publish } from '../../../disclosure/domain/cell-key';
import { disclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import { EmergencyContexts } from '../../../disclosure/domain/emergency-contexts.port';
import { EmergencyContext, emergencyNotFound, outsideScope } from '../../../disclosure/domain/emergency';
import { FlowPlan, planFlows } from '../../../disclosure/domain/policy';
import { AgreementRegistry } from '../../../kernel/ports/agreement-registry';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../../config/aggregator.config';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { AnswerCache } from '../../domain/answer-cache';
import { dimensionsUsed, FlowAnswer, FlowRow } from '../../../answers/flow-answer';
import { PgFlowReader } from '../../infrastructure/pg-flow-reader';
import { QueryFlows } from '../../../kernel/messages/query-flows.query';

/** Distinct questions whose plans are kept per registry read; past this they start again. */
const PLANS_PER_READ = 1_000;

/** Everything an answer depends on besides the release: a plan's cuts hold sets. */
const planKey = (plan: FlowPlan) => JSON.stringify(plan, (_, v: unknown) => (v instanceof Set ? [...v].sort() : v));

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
  /** Per registry read (the same object while grants and release are unchanged, see
   * PgAgreementRegistry.grantsWithRelease): day, caller and query → the plan and the answer's key.
   * A repeated question skips planning and the key's serialisation; a changed registry or release
   * is a new read, hence a new plan, at the very next request. */
  private readonly plans = new WeakMap<object, Map<string, { plan: FlowPlan; key: string }>>();

  constructor(
    private readonly reader: PgFlowReader,
    private readonly registry: AgreementRegistry,
    @Inject(AGGREGATOR_CONFIG) config: AggregatorConfig,
    private readonly emergencies: EmergencyContexts,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.answers = new AnswerCache(config.FLOWS_CACHE_ROWS, (a) => a.rows.length + a.totals.byPeriod.length);
  }

  async execute({ query, principal, registrySeen }: QueryFlows): Promise<FlowAnswer> {
    const now = this.clock();
    const today = now.toISOString().slice(0, 10);
    const [read, emergency] = await Promise.all([this.registry.grantsWithRelease(registrySeen), query.emergency ? this.emergencyOf(query, now) : undefined]);
    // An emergency's plan depends on the time and its activations: planned at every request.
    const kept = emergency ? null : this.keptPlans(read);
    const asked = kept ? JSON.stringify([today, principal, query]) : '';
    const { plan, key } = kept?.get(asked) ?? this.plan(query, principal, read, today, emergency);
    if (kept && !kept.has(asked)) {
      if (kept.size >= PLANS_PER_READ) kept.clear();
      kept.set(asked, { plan, key });
    }
    return this.answers.get(key, () => this.answer(query, principal, plan, read.release));
  }

  private keptPlans(read: object): Map<string, { plan: FlowPlan; key: string }> {
    let kept = this.plans.get(read);
    if (!kept) this.plans.set(read, (kept = new Map()));
    return kept;
  }

  private plan(
    query: QueryFlows['query'],
    principal: string,
    { grants, release }: Awaited<ReturnType<AgreementRegistry['grantsWithRelease']>>,
    today: string,
    emergency: EmergencyContext | undefined,
  ): { plan: FlowPlan; key: string } {
    const plan = planFlows(
      {
        from: query.from,
        to: query.to,
        granularity: query.granularity,
        dimensionsUsed: dimensionsUsed(query),
        providers: query.providers,
        coarser: query.coarser,
      },
      { id: principal },
      grants,
      PROVIDER_STATES,
      'movements',
      today,
      release,
      emergency,
    );
    // The plan holds the emergency's status and each cut's terms: an end or an activation changes the key.
    return { plan, key: JSON.stringify([principal, query, planKey(plan), release?.id ?? null]) };
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
    const rows =
      release === null || plan.cuts.length === 0 ? [] : await this.reader.parts(query, plan.from, plan.to, plan.granularity, plan.cuts, plan.emergency);

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
        for (const d of dims) values[d] = r[d]!;
        const key = JSON.stringify([r.period, ...dims.map((d) => r[d])]);
        const figure: Figure = cells.get(key) ?? { period: r.period, values, parts: [] };
        figure.parts.push(part);
        cells.set(key, figure);
      }
    }
    // With no group-by a period's cell is its total: one figure, one value.
    const cellFigures = dims.length === 0 ? [...periods.values()] : [...cells.values()];
    const answerRows: FlowRow[] = cellFigures.map((f) => ({ period: f.period!, ...f.values, count: publish(f.parts, rule) })).filter((row) => row.count !== 0);
    const byPeriod = [...periods.values()].map((f) => ({ period: f.period!, count: publish(f.parts, rule) })).filter((p) => p.count !== 0);
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
}
