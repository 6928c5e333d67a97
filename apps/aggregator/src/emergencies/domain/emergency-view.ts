import {
  emergencyEnd,
  emergencyRecipientOf,
  EmergencyActivation,
  emergencyStatus,
  EmergencyStatus,
  statesConcerned,
  termsInEffect,
} from '../../disclosure/domain/emergency';
import type { Grant } from '../../disclosure/domain/policy';
import type { Emergency } from './emergency.decider';

/** One state's emergency terms for an emergency, as its state and the secretariat see them. */
export interface TermsStatus {
  provider: string;
  agreementId: string;
  recipient: string;
  furtherRecipients: string[];
  activation: string;
  maxDays: number;
  /** `in-effect` now; `activated` earlier but no longer (maxDays, the end, a revocation); `not-activated`. */
  status: 'in-effect' | 'no-longer' | 'not-activated';
  activatedAt: string | null;
  activatedBy: EmergencyActivation['by'] | null;
  alertId: string | null;
  until: string | null;
}

/** A state whose emergency terms apply to the caller now. */
export interface AppliesToYou {
  provider: string;
  agreementId: string;
  as: 'direct' | 'further' | 'anyone';
  activatedAt: string;
  until: string;
}

export interface EmergencyView {
  emergencyId: string;
  status: EmergencyStatus;
  routes: string[];
  borderCrossingPoints: string[];
  days: number;
  reason: string;
  declaredAt: string;
  endsAt: string;
  endedAt: string | null;
  endReason: string | null;
  statesConcerned: string[];
  /** The secretariat: every concerned state's terms; a state: its own; anyone else: none. */
  terms: TermsStatus[];
  appliesToYou: AppliesToYou[];
}

/**
 * An emergency as `principal` may see it: what was declared, for everyone; each concerned state's
 * terms and their status for the secretariat, a state's own for that state; and to every caller,
 * which states' terms apply to it now (pure).
 */
export function emergencyView(
  e: Emergency,
  grants: readonly Grant[],
  activations: readonly EmergencyActivation[],
  principal: string,
  now: string,
): EmergencyView {
  const concerned = statesConcerned(e);
  const ctx = { emergency: e, activations, now };
  const ownState = principal.startsWith('state:') ? principal.slice(6) : null;
  const withTerms = grants.filter((g) => g.emergency && concerned.includes(g.provider));
  const terms: TermsStatus[] = withTerms
    .filter((g) => principal === 'secretariat' || g.provider === ownState)
    .map((g) => {
      const effect = termsInEffect(g, ctx);
      const first = activations
        .filter((a) => a.agreementId === g.agreementId && a.emergencyId === e.id)
        .sort((a, b) => a.activatedAt.localeCompare(b.activatedAt))[0];
      return {
        provider: g.provider,
        agreementId: g.agreementId,
        recipient: g.recipient,
        furtherRecipients: g.emergency!.recipients,
        activation: g.emergency!.activation,
        maxDays: g.emergency!.maxDays,
        status: effect ? 'in-effect' : first ? 'no-longer' : 'not-activated',
        activatedAt: first?.activatedAt ?? null,
        activatedBy: first?.by ?? null,
        alertId: first?.alertId ?? null,
        until: effect?.until ?? null,
      };
    });
  const appliesToYou: AppliesToYou[] = withTerms.flatMap((g) => {
    const as = emergencyRecipientOf(g, principal);
    const effect = termsInEffect(g, ctx);
    return as && effect ? [{ provider: g.provider, agreementId: g.agreementId, as, activatedAt: effect.activatedAt, until: effect.until }] : [];
  });
  return {
    emergencyId: e.id,
    status: emergencyStatus(e, now),
    routes: e.routes,
    borderCrossingPoints: e.borderCrossingPoints,
    days: e.days,
    reason: e.reason,
    declaredAt: e.declaredAt,
    endsAt: emergencyEnd(e),
    endedAt: e.endedAt,
    endReason: e.endReason,
    statesConcerned: concerned,
    terms,
    appliesToYou,
  };
}
