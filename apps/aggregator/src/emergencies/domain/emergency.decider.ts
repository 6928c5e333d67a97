import {
  DomainError,
  findBorderCrossingPoint,
  MAX_EMERGENCY_DAYS,
  MAX_REASON_LENGTH,
  PROVIDER_STATES,
  TermProblem,
  ValidationFailed,
} from '@caravanserai/contracts';
import { emergencyEnd, EmergencyFacts, emergencyNotFound, emergencyStatus } from '../../disclosure/domain/emergency';
import type { SecretariatEvent, UnsignedSecretariatEvent } from '../../kernel/ports/secretariat-log';

/**
 * An emergency the secretariat declares at the aggregator (docs/emergencies.md): a stream
 * `emergency-<id>` in the aggregator's signed log, holding its declaration, its end, and the
 * activations of states' emergency terms the aggregator makes on a critical surge.
 */
export const EMERGENCY_DECLARED = 'EmergencyDeclared';
export const EMERGENCY_ENDED = 'EmergencyEnded';
/** The aggregator's own activation (a state's own is EmergencyTermsActivated on its agreement stream). */
export const EMERGENCY_TERMS_AUTO_ACTIVATED = 'EmergencyTermsActivated';
export const EMERGENCY_EVENT_TYPES = [EMERGENCY_DECLARED, EMERGENCY_ENDED, EMERGENCY_TERMS_AUTO_ACTIVATED] as const;

export const emergencyStreamId = (id: string) => `emergency-${id}`;

export interface EmergencyDeclaredData {
  emergencyId: string;
  routes: string[];
  borderCrossingPoints: string[];
  days: number;
  reason: string;
}
export interface EmergencyEndedData {
  emergencyId: string;
  reason: string;
}
export interface EmergencyTermsAutoActivatedData {
  provider: string;
  agreementId: string;
  emergencyId: string;
  by: 'critical-surge';
  alertId: string;
}

export interface Emergency extends EmergencyFacts {
  version: number;
  reason: string;
  declaredBy: string;
  endReason: string | null;
  /** The aggregator's automatic activations, in order. */
  autoActivations: (EmergencyTermsAutoActivatedData & { activatedAt: string })[];
}

export function evolve(state: Emergency | null, event: SecretariatEvent): Emergency | null {
  switch (event.type) {
    case EMERGENCY_DECLARED: {
      const d = event.data as unknown as EmergencyDeclaredData;
      return {
        id: d.emergencyId,
        routes: d.routes,
        borderCrossingPoints: d.borderCrossingPoints,
        days: d.days,
        declaredAt: event.recordedAt,
        endedAt: null,
        version: event.streamVersion,
        reason: d.reason,
        declaredBy: event.recordedBy,
        endReason: null,
        autoActivations: [],
      };
    }
    case EMERGENCY_ENDED:
      return state && { ...state, endedAt: event.recordedAt, endReason: (event.data as unknown as EmergencyEndedData).reason, version: event.streamVersion };
    case EMERGENCY_TERMS_AUTO_ACTIVATED:
      return (
        state && {
          ...state,
          autoActivations: [...state.autoActivations, { ...(event.data as unknown as EmergencyTermsAutoActivatedData), activatedAt: event.recordedAt }],
          version: event.streamVersion,
        }
      );
    default:
      return state;
  }
}

export class EmergencyError {
  static notFound(id: string) {
    return emergencyNotFound(id);
  }
  static forbidden(principal: string) {
    return new DomainError('EMERGENCY.FORBIDDEN', `only the secretariat declares and ends emergencies, not ${principal}`, 'forbidden');
  }
  static over(e: Emergency) {
    return new DomainError('EMERGENCY.ENDED', `emergency ${e.id} is over since ${emergencyEnd(e)}`, 'conflict', { emergencyId: e.id, endedAt: e.endedAt });
  }
}

const ROUTE = /^[A-Z]{2}>[A-Z]{2}>[A-Z]{2}$/;

export interface DeclareEmergency {
  type: 'DeclareEmergency';
  emergencyId: string;
  routes: string[];
  borderCrossingPoints: string[];
  days: number;
  reason: string;
}
export interface EndEmergency {
  type: 'EndEmergency';
  reason: string;
}
export interface ActivateOnSurge {
  type: 'ActivateOnSurge';
  provider: string;
  agreementId: string;
  alertId: string;
}
export type EmergencyCommand = DeclareEmergency | EndEmergency | ActivateOnSurge;

const reasonProblems = (reason: string): TermProblem[] =>
  reason.trim().length === 0 || reason.length > MAX_REASON_LENGTH
    ? [{ field: 'reason', message: `reason must say why, in 1 to ${MAX_REASON_LENGTH} characters` }]
    : [];

/** The event a command records (unsigned; the log signs it), nothing when there is nothing to record, or the reason it is refused. */
export function decide(command: EmergencyCommand, state: Emergency | null, { principal, now }: { principal: string; now: Date }): UnsignedSecretariatEvent[] {
  const recordedAt = now.toISOString();
  switch (command.type) {
    case 'DeclareEmergency': {
      if (principal !== 'secretariat') throw EmergencyError.forbidden(principal);
      const problems: TermProblem[] = [];
      const { routes, borderCrossingPoints, days } = command;
      if (routes.length + borderCrossingPoints.length === 0)
        problems.push({ field: 'routes', message: 'an emergency covers at least one route or crossing point' });
      for (const r of routes) {
        if (!ROUTE.test(r)) problems.push({ field: 'routes', message: `route ${r} must look like AF>IR>TR (departedFrom>provider>intendedDestination)` });
        else if (!(PROVIDER_STATES as readonly string[]).includes(r.split('>')[1]))
          problems.push({ field: 'routes', message: `route ${r}: ${r.split('>')[1]} is not a reporting state (${PROVIDER_STATES.join(', ')})` });
      }
      for (const b of borderCrossingPoints)
        if (!findBorderCrossingPoint(b)) problems.push({ field: 'borderCrossingPoints', message: `${b} is not a known crossing point (GET /v1/reference)` });
      if (new Set(routes).size !== routes.length || new Set(borderCrossingPoints).size !== borderCrossingPoints.length)
        problems.push({ field: 'routes', message: 'routes and crossing points are each named once' });
      if (!Number.isInteger(days) || days < 1 || days > MAX_EMERGENCY_DAYS)
        problems.push({ field: 'days', message: `days must be a whole number from 1 to ${MAX_EMERGENCY_DAYS}` });
      problems.push(...reasonProblems(command.reason));
      if (problems.length > 0) throw new ValidationFailed(problems);
      const data: EmergencyDeclaredData = {
        emergencyId: command.emergencyId,
        routes: [...routes].sort(),
        borderCrossingPoints: [...borderCrossingPoints].sort(),
        days,
        reason: command.reason,
      };
      return [
        { streamId: emergencyStreamId(command.emergencyId), streamVersion: 1, type: EMERGENCY_DECLARED, data: { ...data }, recordedBy: principal, recordedAt },
      ];
    }
    case 'EndEmergency': {
      if (principal !== 'secretariat') throw EmergencyError.forbidden(principal);
      if (!state) throw new Error('EndEmergency needs the emergency: load it first');
      if (emergencyStatus(state, recordedAt) !== 'in-force') throw EmergencyError.over(state);
      const problems = reasonProblems(command.reason);
      if (problems.length > 0) throw new ValidationFailed(problems);
      const data: EmergencyEndedData = { emergencyId: state.id, reason: command.reason };
      return [
        {
          streamId: emergencyStreamId(state.id),
          streamVersion: state.version + 1,
          type: EMERGENCY_ENDED,
          data: { ...data },
          recordedBy: principal,
          recordedAt,
        },
      ];
    }
    case 'ActivateOnSurge': {
      if (!state || emergencyStatus(state, recordedAt) !== 'in-force') return [];
      if (state.autoActivations.some((a) => a.agreementId === command.agreementId)) return [];
      const data: EmergencyTermsAutoActivatedData = {
        provider: command.provider,
        agreementId: command.agreementId,
        emergencyId: state.id,
        by: 'critical-surge',
        alertId: command.alertId,
      };
      return [
        {
          streamId: emergencyStreamId(state.id),
          streamVersion: state.version + 1,
          type: EMERGENCY_TERMS_AUTO_ACTIVATED,
          data: { ...data },
          recordedBy: 'aggregator',
          recordedAt,
        },
      ];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
