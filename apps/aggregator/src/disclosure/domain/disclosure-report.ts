import type { DisclosedAnswer } from '../../agreements/domain/disclosure';
import type { FlowPlan, ProviderCut } from './policy';

/** What applied to an answer: whose data, under which agreement, and what was changed or hidden. */
export interface DisclosureReport {
  principal: string;
  agreements: { provider: string; agreement: string; minCellSize: number; minTimeGranularity: string; embargoUntil: string | null; categories: unknown }[];
  leftOut: { provider: string; agreement: string; reason: string }[];
  coarsened: string[];
  suppressed: { cells: number; primary: number; complementary: number; totals: number };
}

/** The `disclosure` block every answer that returns data carries. */
export function disclosureReport(principal: string, plan: FlowPlan, counts: DisclosedAnswer['counts']): DisclosureReport {
  return {
    principal,
    agreements: plan.cuts.map((c) => ({
      provider: c.provider,
      agreement: c.basis,
      minCellSize: c.minCellSize,
      minTimeGranularity: c.minTimeGranularity,
      embargoUntil: c.lastDay,
      categories: c.categories,
    })),
    leftOut: plan.leftOut,
    coarsened: plan.coarsened,
    suppressed: { cells: counts.primary + counts.complementary, primary: counts.primary, complementary: counts.complementary, totals: counts.suppressedTotals },
  };
}

/**
 * The SQL condition that keeps each provider within its cut (its own rows, before its embargo, in
 * its categories); no cut at all matches nothing (default deny). Values go to `params`.
 */
export function cutsCondition(cuts: ProviderCut[], params: unknown[], columns: { provider: string; day: string; category: string }): string {
  if (cuts.length === 0) return 'false';
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  return `(${cuts
    .map((c) => {
      const parts = [`${columns.provider} = ${p(c.provider)}`];
      if (c.lastDay) parts.push(`${columns.day} <= ${p(c.lastDay)}::date`);
      if (c.categories?.include) parts.push(`${columns.category} = ANY(${p(c.categories.include)}::text[])`);
      if (c.categories?.exclude) parts.push(`${columns.category} <> ALL(${p(c.categories.exclude)}::text[])`);
      return `(${parts.join(' AND ')})`;
    })
    .join(' OR ')})`;
}
