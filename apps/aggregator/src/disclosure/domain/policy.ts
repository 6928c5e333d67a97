import type { AgreementTerms, EventKind, TimeGranularity } from '@caravanserai/contracts';
import { TIME_GRANULARITIES } from '@caravanserai/contracts';
import {
  emergencyEnd,
  emergencyRecipientOf,
  EmergencyContext,
  EmergencyStatus,
  emergencyStatus,
  statesConcerned,
  termsInEffect,
  TermsInEffect,
} from './emergency';

/** Who is asking: `secretariat`, `state:XX` or `org:NAME`. */
export interface Principal {
  id: string;
}

/** An agreement as the registry holds it. */
export interface Grant extends AgreementTerms {
  agreementId: string;
  provider: string;
  status: 'active' | 'revoked';
  /** Position of the grant in the registry; a later grant wins a tie. */
  version: number;
  grantedAt: string;
}

/** What a provider lets this caller see of its data, for one answer. */
export interface ProviderCut {
  provider: string;
  /** The agreement applied, or `own-data` when a state reads its own data. */
  basis: string;
  minCellSize: number;
  minTimeGranularity: TimeGranularity;
  allowBorderCrossingPoints: boolean;
  dimensions: Set<string> | 'all';
  categories: { include?: string[]; exclude?: string[] } | null;
  /** First day that may be shown (the grant's data period), YYYY-MM-DD, or null for no limit;
   * in a plan, the first day of the first whole period from it. */
  firstDay: string | null;
  /** Last day that may be shown (embargo, the grant's data period, the release), YYYY-MM-DD, or
   * null for no limit; in a plan, the last day of the last whole period up to it. */
  lastDay: string | null;
  /** Parts of this provider are published exactly (its own data, or k = 1), else perturbed. */
  exact: boolean;
  /** Set when the cut is the grant's emergency terms over it, for an emergency asked about. */
  emergency?: CutUnderEmergency;
}

/** What an answer says of a cut made under emergency terms. */
export interface CutUnderEmergency {
  id: string;
  activatedAt: string;
  by: TermsInEffect['by'];
  alertId: string | null;
  until: string;
  /** How the caller comes by it: the grant's own recipient, a further recipient the terms name, or anyone (a `*` grant). */
  as: 'direct' | 'further' | 'anyone';
}

const OWN_DATA = 'own-data';

export const isValidOn = (g: Grant, day: string) => g.validFrom <= day && (g.validUntil === null || day <= g.validUntil);

/**
 * The one grant that governs what `principal` sees of `provider`'s data of `kind` on `today`:
 * active, in force today, covering the kind, naming the principal (preferred) or anyone (`*`);
 * among several of the same kind, the latest. A state always sees its own data in full.
 * Null means default deny: nothing of that provider, not even that it has data.
 */
export function applicableCut(
  provider: string,
  grants: readonly Grant[],
  principal: Principal,
  kind: EventKind,
  today: string,
  emergency?: EmergencyContext,
): ProviderCut | null {
  if (principal.id === `state:${provider}`) {
    return {
      provider,
      basis: OWN_DATA,
      minCellSize: 1,
      minTimeGranularity: 'day',
      allowBorderCrossingPoints: true,
      dimensions: 'all',
      categories: null,
      firstDay: null,
      lastDay: null,
      exact: true,
    };
  }
  const ordinary = ordinaryCut(provider, grants, principal, kind, today);
  return (emergency && emergencyCut(provider, grants, principal, kind, today, emergency, ordinary)) || ordinary;
}

function ordinaryCut(provider: string, grants: readonly Grant[], principal: Principal, kind: EventKind, today: string): ProviderCut | null {
  const candidates = grants.filter(
    (g) =>
      g.provider === provider &&
      g.status === 'active' &&
      isValidOn(g, today) &&
      g.scope.eventKinds.includes(kind) &&
      (g.recipient === principal.id || g.recipient === '*'),
  );
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => Number(b.recipient !== '*') - Number(a.recipient !== '*') || b.version - a.version);
  const g = candidates[0];
  return {
    provider,
    basis: g.agreementId,
    minCellSize: g.minCellSize,
    minTimeGranularity: g.minTimeGranularity,
    allowBorderCrossingPoints: g.minGeoGranularity === 'border_crossing_point',
    dimensions: new Set(g.dimensions),
    categories: g.scope.categories ?? null,
    firstDay: g.dataFrom ?? null,
    lastDay: earliest(g.embargoDays > 0 ? addDays(today, -g.embargoDays) : null, g.dataUntil ?? null),
    exact: g.minCellSize <= 1,
  };
}

const PREFERENCE = { direct: 0, further: 1, anyone: 2 } as const;

/**
 * The cut under a grant's emergency terms, when some grant of `provider` covering `kind` has terms
 * in effect for the emergency and names the caller (its recipient, `*`, or a further recipient of
 * the terms); the caller's own recipient first, then a further recipient, then anyone, latest first.
 * The grant's scope, categories and data period stay; time, place and embargo are the terms'; the
 * dimensions are the grant's and the terms' together. k is the grant's, and never below the k of
 * the cut the caller has anyway (`ordinary`): an emergency never lowers k for anyone.
 */
function emergencyCut(
  provider: string,
  grants: readonly Grant[],
  principal: Principal,
  kind: EventKind,
  today: string,
  emergency: EmergencyContext,
  ordinary: ProviderCut | null,
): ProviderCut | null {
  const candidates = grants
    .filter((g) => g.provider === provider && g.scope.eventKinds.includes(kind))
    .map((g) => ({ g, as: emergencyRecipientOf(g, principal.id), effect: termsInEffect(g, emergency) }))
    .filter((c): c is { g: Grant; as: 'direct' | 'further' | 'anyone'; effect: TermsInEffect } => c.as !== null && c.effect !== null)
    .sort((a, b) => PREFERENCE[a.as] - PREFERENCE[b.as] || b.g.version - a.g.version);
  if (candidates.length === 0) return null;
  const { g, as, effect } = candidates[0];
  const k = Math.max(g.minCellSize, ordinary?.minCellSize ?? 1);
  return {
    provider,
    basis: g.agreementId,
    minCellSize: k,
    minTimeGranularity: effect.terms.minTimeGranularity,
    allowBorderCrossingPoints: effect.terms.minGeoGranularity === 'border_crossing_point',
    dimensions: new Set([...g.dimensions, ...effect.terms.dimensions]),
    categories: g.scope.categories ?? null,
    firstDay: g.dataFrom ?? null,
    lastDay: earliest(effect.terms.embargoDays > 0 ? addDays(today, -effect.terms.embargoDays) : null, g.dataUntil ?? null),
    exact: k <= 1,
    emergency: { id: effect.emergencyId, activatedAt: effect.activatedAt, by: effect.by, alertId: effect.alertId, until: effect.until, as },
  };
}

const earliest = (...days: (string | null)[]): string | null => days.reduce<string | null>((a, b) => (a === null ? b : b === null ? a : a < b ? a : b), null);

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export const coarser = (a: TimeGranularity, b: TimeGranularity): TimeGranularity => (TIME_GRANULARITIES.indexOf(a) >= TIME_GRANULARITIES.indexOf(b) ? a : b);

/** First and last day of the period of `granularity` that contains `day` (ISO weeks). */
export function periodBounds(day: string, granularity: TimeGranularity): { first: string; last: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  switch (granularity) {
    case 'day':
      return { first: day, last: day };
    case 'week': {
      const monday = d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000;
      return { first: iso(monday), last: iso(monday + 6 * 86_400_000) };
    }
    case 'month':
      return { first: iso(Date.UTC(y, m, 1)), last: iso(Date.UTC(y, m + 1, 0)) };
    case 'year':
      return { first: `${y}-01-01`, last: `${y}-12-31` };
  }
}

export interface Exclusion {
  provider: string;
  agreement: string;
  reason: string;
}

export interface FlowPlan {
  granularity: TimeGranularity;
  from: string;
  to: string;
  cuts: ProviderCut[];
  leftOut: Exclusion[];
  coarsened: string[];
  /** Set for a question asked under an emergency (`?emergency=`): the answer is limited to its scope. */
  emergency?: PlanEmergency;
}

/** The emergency an answer was asked under, as the answer reports it. */
export interface PlanEmergency {
  id: string;
  status: EmergencyStatus;
  routes: string[];
  borderCrossingPoints: string[];
  declaredAt: string;
  /** When it stops (or stopped) being in force. */
  endsAt: string;
  /** The states whose emergency terms shaped this answer. */
  underEmergencyTerms: string[];
}

/** Dimensions a query touches (group-bys and filters) that a grant must allow. `route` reveals
 * the provider and both ends. */
const implied: Record<string, string[]> = { route: ['route'], borderCrossingPoint: ['borderCrossingPoint'] };

/** Whole periods only: the last day of the last period of `granularity` that ends by `day`. */
export function lastWholePeriodEnd(day: string, granularity: TimeGranularity): string {
  const { first, last } = periodBounds(day, granularity);
  return last === day ? day : addDays(first, -1);
}

/** Whole periods only: the first day of the first period of `granularity` that starts on or after `day`. */
export function firstWholePeriodStart(day: string, granularity: TimeGranularity): string {
  const { first, last } = periodBounds(day, granularity);
  return first === day ? day : addDays(last, 1);
}

/** Whether the caller wants states whose grant is coarser than the asked granularity to raise the
 * whole answer's granularity (`include`), or to be left out and named (`exclude`). */
export type CoarserStates = 'include' | 'exclude';

/**
 * Cuts each provider's contribution to what its grant allows this caller: providers without a
 * grant are not mentioned at all; a provider whose grant does not allow a dimension the query
 * uses is left out, with the reason; the answer's time granularity is the coarsest asked or
 * required (or, with `coarser: 'exclude'`, providers that require a coarser one are left out), and
 * its period is widened to whole periods so that a narrow window cannot stand in for a finer
 * granularity. Each provider then shows only whole periods that are closed: up to the release's
 * last day, its embargo and its data period, and from the start of its data period — so that no
 * two answers differ by part of a period.
 */
export function planFlows(
  query: { from: string; to: string; granularity: TimeGranularity; dimensionsUsed: string[]; providers?: string[]; coarser?: CoarserStates },
  principal: Principal,
  grants: readonly Grant[],
  providers: readonly string[],
  kind: EventKind,
  today: string,
  release: { dataUntil: string } | null = null,
  emergency?: EmergencyContext,
): FlowPlan {
  const cuts: ProviderCut[] = [];
  const leftOut: Exclusion[] = [];
  // Under an emergency only the states its scope covers have data in the answer.
  const concerned = emergency ? statesConcerned(emergency.emergency) : null;
  for (const provider of providers) {
    if (query.providers?.length && !query.providers.includes(provider)) continue;
    if (concerned && !concerned.includes(provider)) continue;
    const cut = applicableCut(provider, grants, principal, kind, today, emergency);
    if (!cut) continue;
    const forbidden = query.dimensionsUsed.flatMap((d) => implied[d] ?? [d]).filter((d) => cut.dimensions !== 'all' && !cut.dimensions.has(d));
    if (forbidden.length > 0) {
      leftOut.push({ provider, agreement: cut.basis, reason: `the agreement does not allow ${[...new Set(forbidden)].join(', ')}` });
      continue;
    }
    if (query.dimensionsUsed.includes('borderCrossingPoint') && !cut.allowBorderCrossingPoints) {
      leftOut.push({ provider, agreement: cut.basis, reason: 'the agreement allows country level only, not border crossing points' });
      continue;
    }
    if (query.coarser === 'exclude' && coarser(query.granularity, cut.minTimeGranularity) !== query.granularity) {
      leftOut.push({
        provider,
        agreement: cut.basis,
        reason: `the agreement allows ${cut.minTimeGranularity} figures at the finest, coarser than the ${query.granularity} asked`,
      });
      continue;
    }
    cuts.push(cut);
  }
  const coarsened: string[] = [];
  let granularity = query.granularity;
  for (const cut of cuts) {
    const next = coarser(granularity, cut.minTimeGranularity);
    if (next !== granularity) {
      coarsened.push(`time granularity raised from ${granularity} to ${next} by ${cut.basis} (${cut.provider})`);
      granularity = next;
    }
  }
  const from = periodBounds(query.from, granularity).first;
  const to = periodBounds(query.to, granularity).last;
  if (from !== query.from || to !== query.to) coarsened.push(`period widened to whole ${granularity}s: ${from} … ${to}`);
  const wholeCuts = cuts.map((cut) => {
    const last = earliest(cut.lastDay, release?.dataUntil ?? null);
    return {
      ...cut,
      firstDay: cut.firstDay === null ? null : firstWholePeriodStart(cut.firstDay, granularity),
      lastDay: last === null ? null : lastWholePeriodEnd(last, granularity),
    };
  });
  const plan: FlowPlan = { granularity, from, to, cuts: wholeCuts, leftOut, coarsened };
  if (emergency) {
    const e = emergency.emergency;
    plan.emergency = {
      id: e.id,
      status: emergencyStatus(e, emergency.now),
      routes: e.routes,
      borderCrossingPoints: e.borderCrossingPoints,
      declaredAt: e.declaredAt,
      endsAt: emergencyEnd(e),
      underEmergencyTerms: wholeCuts.filter((c) => c.emergency).map((c) => c.provider),
    };
  }
  return plan;
}
