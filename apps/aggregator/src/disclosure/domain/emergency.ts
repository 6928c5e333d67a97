import { DomainError, type EmergencyTerms } from '@caravanserai/contracts';

/** What of a grant (policy.ts's Grant) the emergency rules read. */
export interface GrantWithTerms {
  agreementId: string;
  provider: string;
  recipient: string;
  status: 'active' | 'revoked';
  validFrom: string;
  validUntil: string | null;
  emergency?: EmergencyTerms | null;
}

/**
 * Emergencies as disclosure control sees them (docs/emergencies.md): what the secretariat declared,
 * and which states activated their emergency terms for it. Pure: the handlers load the facts and
 * hand in the time.
 */

/** An emergency as declared, and ended if it was. Instants are ISO 8601 (UTC). */
export interface EmergencyFacts {
  id: string;
  /** Routes `departedFrom>provider>intendedDestination` and crossing points it covers (at least one in all). */
  routes: string[];
  borderCrossingPoints: string[];
  declaredAt: string;
  /** The emergency lasts at most this many days from its declaration. */
  days: number;
  endedAt: string | null;
}

/** A state's emergency terms turned on for one emergency: by the state at its node, or by the
 * aggregator on a critical surge alert when the terms say `on-critical-surge`. */
export interface EmergencyActivation {
  agreementId: string;
  provider: string;
  emergencyId: string;
  /** When the aggregator took it in (a node's activation) or made it (an automatic one). */
  activatedAt: string;
  by: 'at-node' | 'critical-surge';
  alertId: string | null;
}

/** An emergency and its activations, at an instant: what an answer under it needs. */
export interface EmergencyContext {
  emergency: EmergencyFacts;
  activations: readonly EmergencyActivation[];
  now: string;
}

const DAY_MS = 86_400_000;
const plusDays = (instant: string, days: number) => new Date(Date.parse(instant) + days * DAY_MS).toISOString();
const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** When the emergency stops being in force: declared over, or its days run out, whichever first. */
export function emergencyEnd(e: EmergencyFacts): string {
  const runsOut = plusDays(e.declaredAt, e.days);
  return e.endedAt === null ? runsOut : earlier(e.endedAt, runsOut);
}

export type EmergencyStatus = 'in-force' | 'ended' | 'expired';

/** In force from its declaration until it is declared over (`ended`) or its days run out (`expired`). */
export function emergencyStatus(e: EmergencyFacts, now: string): EmergencyStatus {
  if (Date.parse(now) < Date.parse(emergencyEnd(e))) return 'in-force';
  return e.endedAt !== null && Date.parse(e.endedAt) <= Date.parse(plusDays(e.declaredAt, e.days)) ? 'ended' : 'expired';
}

/** The state a crossing point code belongs to: its prefix (`IR-DOGHAROUN` is Iran's). */
const stateOfCrossingPoint = (code: string) => code.slice(0, 2);

/** The states whose data the emergency's scope covers: the reporting state of each route, the
 * state of each crossing point. */
export function statesConcerned(e: Pick<EmergencyFacts, 'routes' | 'borderCrossingPoints'>): string[] {
  return [...new Set([...e.routes.map((r) => r.split('>')[1]), ...e.borderCrossingPoints.map(stateOfCrossingPoint)])].sort();
}

/** A grant's emergency terms as they apply to one emergency now. */
export interface TermsInEffect {
  emergencyId: string;
  agreementId: string;
  provider: string;
  terms: EmergencyTerms;
  activatedAt: string;
  by: EmergencyActivation['by'];
  alertId: string | null;
  /** The earliest of activation + maxDays and the emergency's end (the grant's revocation or
   * expiry ends them too: a grant that is no longer active or valid has none in effect). */
  until: string;
}

/**
 * Whether `grant`'s emergency terms are in effect for the emergency now: the grant active and in
 * force today, with emergency terms, of a state the emergency's scope covers, activated (its first
 * activation for this emergency, made while the emergency was in force), and now before the
 * earliest of activation + maxDays and the emergency's end.
 */
export function termsInEffect(grant: GrantWithTerms, { emergency, activations, now }: EmergencyContext): TermsInEffect | null {
  const terms = grant.emergency;
  if (!terms || grant.status !== 'active') return null;
  const today = now.slice(0, 10);
  if (grant.validFrom > today || (grant.validUntil !== null && today > grant.validUntil)) return null;
  if (!statesConcerned(emergency).includes(grant.provider)) return null;
  const end = emergencyEnd(emergency);
  const first = activations
    .filter((a) => a.agreementId === grant.agreementId && a.emergencyId === emergency.id && a.provider === grant.provider)
    .filter(
      (a) =>
        Date.parse(a.activatedAt) >= Date.parse(emergency.declaredAt) &&
        Date.parse(a.activatedAt) < Date.parse(end) &&
        Date.parse(a.activatedAt) <= Date.parse(now),
    )
    .sort((a, b) => Date.parse(a.activatedAt) - Date.parse(b.activatedAt))[0];
  if (!first) return null;
  const until = earlier(plusDays(first.activatedAt, terms.maxDays), end);
  if (Date.parse(now) >= Date.parse(until)) return null;
  return {
    emergencyId: emergency.id,
    agreementId: grant.agreementId,
    provider: grant.provider,
    terms,
    activatedAt: first.activatedAt,
    by: first.by,
    alertId: first.alertId,
    until,
  };
}

/** Who gets a grant's emergency cut: its own recipient (everyone, for `*`) and the further recipients its terms name. */
export const emergencyRecipientOf = (grant: GrantWithTerms, principal: string): 'direct' | 'further' | 'anyone' | null =>
  grant.recipient === principal ? 'direct' : grant.emergency?.recipients.includes(principal) ? 'further' : grant.recipient === '*' ? 'anyone' : null;

/**
 * The filters of a question asked under an emergency that reach outside its scope, each with why
 * (the caller gets a 400 naming them, rather than an answer that silently drops them). A route is
 * in scope when the emergency names it or a crossing point of its reporting state; a crossing point
 * when the emergency names it or a route its state reports; a provider when the scope covers it.
 */
export function outsideScope(
  e: Pick<EmergencyFacts, 'id' | 'routes' | 'borderCrossingPoints'>,
  filters: { routes?: string[]; borderCrossingPoints?: string[]; providers?: string[] },
): { field: string; message: string }[] {
  const states = statesConcerned(e);
  const routeStates = new Set(e.routes.map((r) => r.split('>')[1]));
  const pointStates = new Set(e.borderCrossingPoints.map(stateOfCrossingPoint));
  const where = `emergency ${e.id} covers ${[...e.routes, ...e.borderCrossingPoints].join(', ')}`;
  return [
    ...(filters.routes ?? [])
      .filter((r) => !e.routes.includes(r) && !pointStates.has(r.split('>')[1]))
      .map((r) => ({ field: 'routes', message: `route ${r} is outside the emergency: ${where}` })),
    ...(filters.borderCrossingPoints ?? [])
      .filter((b) => !e.borderCrossingPoints.includes(b) && !routeStates.has(stateOfCrossingPoint(b)))
      .map((b) => ({ field: 'borderCrossingPoints', message: `crossing point ${b} is outside the emergency: ${where}` })),
    ...(filters.providers ?? [])
      .filter((p) => !states.includes(p))
      .map((p) => ({ field: 'providers', message: `${p} reports no data in the emergency's scope: ${where}` })),
  ];
}

/** A question asked under an emergency that was never declared. */
export const emergencyNotFound = (id: string) => new DomainError('EMERGENCY.NOT_FOUND', `no emergency ${id} was declared`, 'not_found');
