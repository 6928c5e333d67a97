import { PROVIDER_STATES, REFERRAL_STATUSES, ReferralStatus } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Part, PartRule, perturb, publish } from '../../../disclosure/domain/cell-key';
import { disclosureReport, DisclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import { FlowPlan, planFlows } from '../../../disclosure/domain/policy';
import { AgreementRegistry } from '../../../kernel/ports/agreement-registry';
import { PartRow, PgReferralSummaryReader } from '../../infrastructure/pg-referral-summary-reader';
import { Duration, GRANT_DIMENSION, ReferralDimension, ReferralFigures, ReferralSummary, ReferralSummaryRow } from '../../../answers/referral-summary';
import { percentileCont } from '../../domain/percentile';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { QueryReferralSummary } from '../../../kernel/messages/query-referral-summary.query';

export type { PartRow };

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/**
 * The published figures of one group from its providers' parts. Each count is published part by
 * part (`publish`). A duration uses only the referrals of providers whose part of its count may be
 * shown: exact parts, and protected parts published at k + 1 or more (a count below k is only ever
 * shown as 0 or k, so k + 1 or more proves at least k referrals behind the median).
 */
export function publishFigures(parts: PartRow[], rule: PartRule): ReferralFigures {
  const pub = (name: string) =>
    publish(
      parts.map((p) => part(p, name)),
      rule,
    );
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
    private readonly reader: PgReferralSummaryReader,
    private readonly registry: AgreementRegistry,
    @Inject(CLOCK) private readonly clock: Clock = () => new Date(),
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
    const { release, plan, parts, awaiting } = await this.reader.read(query, (release) =>
      planFlows(
        { from: query.from, to: query.to, granularity: query.granularity, dimensionsUsed: [...new Set(used)], providers: query.providers },
        { id: principal },
        grants,
        PROVIDER_STATES,
        'referrals',
        this.clock().toISOString().slice(0, 10),
        release,
      ),
    );
    return this.answer(query, principal, plan, release, parts, awaiting);
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
    const rows: ReferralSummaryRow[] = [...groups.values()].map((g) => ({ ...g.row, ...publishFigures(g.parts, rule) })).filter((r) => r.referrals !== 0);
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
