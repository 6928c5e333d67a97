import {
  Decider,
  DecisionContext,
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  AGREEMENT_REVOKED,
  AgreementAmendedData,
  AgreementGrantedData,
  AgreementRevokedData,
  AgreementTerms,
  checkAgreementTerms,
  DomainError,
  EMERGENCY_TERMS_ACTIVATED,
  EmergencyTermsActivatedData,
  EventEnvelope,
  MAX_REASON_LENGTH,
  TERM_NAMES,
  TermProblem,
  ValidationFailed,
  withDataPeriod,
} from '@caravanserai/contracts';

export type AgreementState =
  | { status: 'none' }
  | { status: 'active'; agreementId: string; terms: AgreementTerms; version: number; grantedOn: string; activations: string[] }
  | {
      status: 'revoked';
      agreementId: string;
      terms: AgreementTerms;
      version: number;
      grantedOn: string;
      /** The emergencies the state activated the agreement's emergency terms for, in order. */
      activations: string[];
      revokedOn: string;
      reason: string;
    };

export interface GrantAgreement {
  type: 'GrantAgreement';
  agreementId: string;
  terms: AgreementTerms;
  /** The provider the caller named, if any: it must be the node's own state. */
  provider?: string;
}

export interface AmendAgreement {
  type: 'AmendAgreement';
  agreementId: string;
  /** The terms to replace, each whole; `recipient` may only be repeated unchanged. */
  changes: Partial<AgreementTerms>;
}

export interface RevokeAgreement {
  type: 'RevokeAgreement';
  agreementId: string;
  reason: string;
}

/** The state turns the agreement's emergency terms on for one emergency the secretariat declared
 * (the aggregator decides whether and until when they apply: docs/emergencies.md). */
export interface ActivateEmergencyTerms {
  type: 'ActivateEmergencyTerms';
  agreementId: string;
  emergencyId: string;
  reason: string;
}

export type AgreementCommand = GrantAgreement | AmendAgreement | RevokeAgreement | ActivateEmergencyTerms;

/** What the node knows when it decides: whom it speaks for, and when. */
export type { DecisionContext };

export type AgreementDecision =
  | { type: typeof AGREEMENT_GRANTED; data: AgreementGrantedData; streamVersion: number; occurredOn: string }
  | { type: typeof AGREEMENT_AMENDED; data: AgreementAmendedData; streamVersion: number; occurredOn: string }
  | { type: typeof AGREEMENT_REVOKED; data: AgreementRevokedData; streamVersion: number; occurredOn: string }
  | { type: typeof EMERGENCY_TERMS_ACTIVATED; data: EmergencyTermsActivatedData; streamVersion: number; occurredOn: string };

export class AgreementError {
  static notFound(agreementId: string) {
    return new DomainError('AGREEMENT.NOT_FOUND', `no agreement ${agreementId} was granted by this node`, 'not_found');
  }
  static alreadyGranted(agreementId: string) {
    return new DomainError('AGREEMENT.ALREADY_GRANTED', `agreement ${agreementId} is already granted`, 'conflict');
  }
  static revoked(state: Extract<AgreementState, { status: 'revoked' }>, command: string) {
    return new DomainError(
      'AGREEMENT.REVOKED',
      `agreement ${state.agreementId} was revoked on ${state.revokedOn}; ${command} is refused: grant a new agreement instead`,
      'conflict',
      { agreementId: state.agreementId, agreementStatus: state.status, version: state.version, revokedOn: state.revokedOn, reason: state.reason },
    );
  }
  static concurrentChange(agreementId: string) {
    return new DomainError(
      'AGREEMENT.CONCURRENT_CHANGE',
      `agreement ${agreementId} was changed by another request at the same time; read it again and retry`,
      'conflict',
    );
  }
  static foreignProvider(provider: string, nodeState: string) {
    return new DomainError(
      'AGREEMENT.FOREIGN_PROVIDER',
      `a node grants only for its own state: this node speaks for ${nodeState}, not ${provider}`,
      'forbidden',
    );
  }
  static noChange(agreementId: string) {
    return new DomainError(
      'AGREEMENT.NO_CHANGE',
      `the amendment changes nothing: every term given already has that value in agreement ${agreementId}`,
      'unprocessable',
    );
  }
  static noEmergencyTerms(agreementId: string) {
    return new DomainError(
      'AGREEMENT.NO_EMERGENCY_TERMS',
      `agreement ${agreementId} has no emergency terms to activate: amend it with an emergency term first`,
      'unprocessable',
    );
  }
  static alreadyActivated(agreementId: string, emergencyId: string) {
    return new DomainError(
      'AGREEMENT.ALREADY_ACTIVATED',
      `the emergency terms of agreement ${agreementId} are already activated for emergency ${emergencyId}`,
      'conflict',
    );
  }
  static notInForce(agreementId: string, validFrom: string, validUntil: string | null) {
    return new DomainError(
      'AGREEMENT.NOT_IN_FORCE',
      `agreement ${agreementId} is not in force today (valid ${validFrom} … ${validUntil ?? 'until revoked'}): its emergency terms cannot be activated`,
      'unprocessable',
    );
  }
  static invalidTerms(problems: TermProblem[]) {
    return new ValidationFailed(problems);
  }
}

export const initialAgreementState: AgreementState = { status: 'none' };

/** A grant's terms, the data period spelt out (a grant published before it existed covers every day). */
const termsOf = ({ agreementId: _id, ...terms }: AgreementGrantedData): AgreementTerms => withDataPeriod(terms);

export function evolve(state: AgreementState, event: EventEnvelope): AgreementState {
  switch (event.type) {
    case AGREEMENT_GRANTED: {
      const data = event.data as AgreementGrantedData;
      return {
        status: 'active',
        agreementId: data.agreementId,
        terms: termsOf(data),
        version: event.streamVersion,
        grantedOn: event.occurredOn,
        activations: [],
      };
    }
    case EMERGENCY_TERMS_ACTIVATED:
      if (state.status !== 'active') return state;
      return { ...state, activations: [...state.activations, (event.data as EmergencyTermsActivatedData).emergencyId], version: event.streamVersion };
    case AGREEMENT_AMENDED:
      if (state.status !== 'active') return state;
      return { ...state, terms: { ...state.terms, ...(event.data as AgreementAmendedData).changes }, version: event.streamVersion };
    case AGREEMENT_REVOKED:
      if (state.status !== 'active') return state;
      return {
        ...state,
        status: 'revoked',
        version: event.streamVersion,
        revokedOn: event.occurredOn,
        reason: (event.data as AgreementRevokedData).reason,
      };
    default:
      return state;
  }
}

/** JSON with sorted keys and sorted lists: every list in the terms is a set, so the order in
 * which a caller writes it is no change. */
function canonical(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v
        .map(norm)
        .map((x) => JSON.stringify(x))
        .sort();
    if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, norm(x)]));
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

const isoDay = (now: Date) => now.toISOString().slice(0, 10);

/** The one event a command records, or the reason it is refused. */
export function decide(command: AgreementCommand, state: AgreementState, { nodeState, now }: DecisionContext): AgreementDecision {
  const occurredOn = isoDay(now);
  switch (command.type) {
    case 'GrantAgreement': {
      if (command.provider !== undefined && command.provider !== nodeState) throw AgreementError.foreignProvider(command.provider, nodeState);
      if (state.status !== 'none') throw AgreementError.alreadyGranted(command.agreementId);
      const problems = checkAgreementTerms(command.terms);
      if (problems.length > 0) throw AgreementError.invalidTerms(problems);
      // The data period is recorded even when unbounded, so the event says so in so many words.
      return { type: AGREEMENT_GRANTED, data: { agreementId: command.agreementId, ...withDataPeriod(command.terms) }, streamVersion: 1, occurredOn };
    }
    case 'AmendAgreement': {
      if (state.status === 'none') throw AgreementError.notFound(command.agreementId);
      if (state.status === 'revoked') throw AgreementError.revoked(state, 'an amendment');
      const problems: TermProblem[] = [];
      const { recipient, ...rest } = command.changes;
      if (recipient !== undefined && recipient !== state.terms.recipient) {
        problems.push({
          field: 'recipient',
          message: `the recipient of an agreement cannot change (it is ${state.terms.recipient}): revoke it and grant a new one`,
        });
      }
      // Only what differs is recorded: a term repeated with its current value is no change.
      const changes: Partial<Omit<AgreementTerms, 'recipient'>> = Object.fromEntries(
        TERM_NAMES.filter((name) => name !== 'recipient')
          .filter((name) => rest[name as keyof typeof rest] !== undefined)
          .filter((name) => canonical(rest[name as keyof typeof rest]) !== canonical(state.terms[name]))
          .map((name) => [name, rest[name as keyof typeof rest]]),
      );
      // The amended terms must hold together as a whole, as a grant must.
      problems.push(...checkAgreementTerms({ ...state.terms, ...changes }));
      if (problems.length > 0) throw AgreementError.invalidTerms(problems);
      if (Object.keys(changes).length === 0) throw AgreementError.noChange(state.agreementId);
      return { type: AGREEMENT_AMENDED, data: { agreementId: state.agreementId, changes }, streamVersion: state.version + 1, occurredOn };
    }
    case 'RevokeAgreement': {
      if (state.status === 'none') throw AgreementError.notFound(command.agreementId);
      if (state.status === 'revoked') throw AgreementError.revoked(state, 'a second revocation');
      if (command.reason.trim().length === 0 || command.reason.length > MAX_REASON_LENGTH) {
        throw AgreementError.invalidTerms([{ field: 'reason', message: `reason must say why, in 1 to ${MAX_REASON_LENGTH} characters` }]);
      }
      return {
        type: AGREEMENT_REVOKED,
        data: { agreementId: state.agreementId, reason: command.reason },
        streamVersion: state.version + 1,
        occurredOn,
      };
    }
    case 'ActivateEmergencyTerms': {
      if (state.status === 'none') throw AgreementError.notFound(command.agreementId);
      if (state.status === 'revoked') throw AgreementError.revoked(state, 'an activation of its emergency terms');
      if (!state.terms.emergency) throw AgreementError.noEmergencyTerms(state.agreementId);
      const { validFrom, validUntil } = state.terms;
      if (occurredOn < validFrom || (validUntil !== null && occurredOn > validUntil)) throw AgreementError.notInForce(state.agreementId, validFrom, validUntil);
      if (state.activations.includes(command.emergencyId)) throw AgreementError.alreadyActivated(state.agreementId, command.emergencyId);
      if (command.reason.trim().length === 0 || command.reason.length > MAX_REASON_LENGTH) {
        throw AgreementError.invalidTerms([{ field: 'reason', message: `reason must say why, in 1 to ${MAX_REASON_LENGTH} characters` }]);
      }
      return {
        type: EMERGENCY_TERMS_ACTIVATED,
        data: { agreementId: state.agreementId, emergencyId: command.emergencyId, reason: command.reason },
        streamVersion: state.version + 1,
        occurredOn,
      };
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/** The agreement stream's decider, for the command pipeline. */
export const agreementDecider: Decider<AgreementState, AgreementCommand, AgreementDecision> = { initialState: initialAgreementState, evolve, decide };
