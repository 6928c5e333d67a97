import { MAX_NOISE } from './cell-key';
import type { CutUnderEmergency, FlowPlan, PlanEmergency, ProviderCut } from './policy';

/** The release an answer reads. */
export interface ReleaseRef {
  id: number;
  cutAt: string;
  dataUntil: string;
}

/** How the figures of an answer were protected, for a reader to weigh them. */
export interface MethodReport {
  name: 'cell-key';
  /** A figure of at least k moves by at most this much, per protected state in it. */
  maxNoise: number;
  /** States whose parts are exact in this answer (the caller's own, or k = 1). */
  exact: string[];
  /** States whose parts are protected, each with its k: a part below k is shown as 0 or k. */
  protected: { provider: string; k: number }[];
}

/** What applied to an answer: which release, whose data, under which agreement, what was changed
 * or left out. */
export interface DisclosureReport {
  principal: string;
  release: ReleaseRef | null;
  method: MethodReport;
  agreements: {
    provider: string;
    agreement: string;
    minCellSize: number;
    minTimeGranularity: string;
    dataFrom: string | null;
    dataUntil: string | null;
    categories: unknown;
    /** Present when this state's part was cut to its emergency terms. */
    emergency?: CutUnderEmergency;
  }[];
  /** Present for a question asked under an emergency (`?emergency=`). */
  emergency?: PlanEmergency;
  leftOut: { provider: string; agreement: string; reason: string }[];
  coarsened: string[];
  /** The same in plain words, for a reader of the answer, the CSV and the console. */
  notes: string[];
}

/** The `disclosure` block every answer that returns data carries. */
export function disclosureReport(principal: string, plan: FlowPlan, release: ReleaseRef | null): DisclosureReport {
  const method: MethodReport = {
    name: 'cell-key',
    maxNoise: MAX_NOISE,
    exact: plan.cuts.filter((c) => c.exact).map((c) => c.provider),
    protected: plan.cuts.filter((c) => !c.exact).map((c) => ({ provider: c.provider, k: c.minCellSize })),
  };
  return {
    principal,
    release,
    method,
    agreements: plan.cuts.map((c) => ({
      provider: c.provider,
      agreement: c.basis,
      minCellSize: c.minCellSize,
      minTimeGranularity: c.minTimeGranularity,
      dataFrom: c.firstDay,
      dataUntil: c.lastDay,
      categories: c.categories,
      ...(c.emergency ? { emergency: c.emergency } : {}),
    })),
    ...(plan.emergency ? { emergency: plan.emergency } : {}),
    leftOut: plan.leftOut,
    coarsened: plan.coarsened,
    notes: [...notes(release, method), ...emergencyNotes(plan.emergency)],
  };
}

function emergencyNotes(e: PlanEmergency | undefined): string[] {
  if (!e) return [];
  const scope = [...e.routes, ...e.borderCrossingPoints].join(', ');
  if (e.status !== 'in-force') {
    return [
      `Emergency ${e.id} (${scope}) is over since ${e.endsAt} (${e.status}): this is the ordinary answer, limited to its scope; no emergency terms apply.`,
    ];
  }
  const under =
    e.underEmergencyTerms.length > 0
      ? `the parts of ${e.underEmergencyTerms.join(', ')} are cut to their emergency terms (the same k, finer time or place, a shorter embargo)`
      : 'no state’s emergency terms are in effect for you';
  return [`Asked under emergency ${e.id}, in force until ${e.endsAt}: limited to its scope (${scope}); ${under}; other states’ parts are cut as always.`];
}

function notes(release: ReleaseRef | null, method: MethodReport): string[] {
  if (release === null) return ['No release has been cut yet: there are no figures to show.'];
  const out = [
    `Figures of release ${release.id} (cut ${release.cutAt}), holding data up to ${release.dataUntil}; only whole periods that had ended are shown.`,
  ];
  if (method.protected.length > 0) {
    out.push(
      `The parts of ${method.protected.map((p) => `${p.provider} (k = ${p.k})`).join(', ')} are protected: each such part is changed by up to ${method.maxNoise}, ` +
        'a part smaller than its k is shown as 0 or as k, and a figure that comes to 0 is not listed, so a small figure, a zero or a missing row may have been adjusted. ' +
        'The same figure always gets the same adjustment; totals are adjusted on their own, so rows need not add up to them.',
    );
  }
  if (method.exact.length > 0) out.push(`The parts of ${method.exact.join(', ')} are exact.`);
  return out;
}

/**
 * The SQL condition that keeps each provider within its cut (its own rows, within its days, in
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
      if (c.firstDay) parts.push(`${columns.day} >= ${p(c.firstDay)}::date`);
      if (c.lastDay) parts.push(`${columns.day} <= ${p(c.lastDay)}::date`);
      if (c.categories?.include) parts.push(`${columns.category} = ANY(${p(c.categories.include)}::text[])`);
      if (c.categories?.exclude) parts.push(`${columns.category} <> ALL(${p(c.categories.exclude)}::text[])`);
      return `(${parts.join(' AND ')})`;
    })
    .join(' OR ')})`;
}
