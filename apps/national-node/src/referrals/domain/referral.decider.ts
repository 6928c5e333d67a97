import {
  ClosureOutcome,
  Decider,
  Decision,
  localDateOf,
  DeclineReason,
  DomainError,
  EventEnvelope,
  REFERRAL_ACCEPTED,
  REFERRAL_ACKNOWLEDGED,
  REFERRAL_CLOSED,
  REFERRAL_DECLINED,
  REFERRAL_MADE,
  ReferralAcceptedData,
  ReferralAcknowledgedData,
  ReferralClosedData,
  ReferralDeclinedData,
  ReferralEvent,
  ReferralMadeData,
  ReferralStatus,
  toReferralHour,
} from '@caravanserai/contracts';

/** A referral as its events leave it. `none`: nothing was recorded under this id. */
export type ReferralState =
  | { status: 'none' }
  | {
      status: ReferralStatus;
      referralId: string;
      version: number;
      /** The time of the latest event: a later command may not be dated before it. */
      lastAt: string;
      made: ReferralMadeData;
      acknowledgedAt: string | null;
      acceptedAt: string | null;
      declined: { at: string; reason: DeclineReason } | null;
      closed: { at: string; outcome: ClosureOutcome } | null;
    };

/** Commands of the lifecycle; `at` is when it happened, as the national system reports it. */
export type ReferralCommand =
  | { type: 'AcknowledgeReferral'; referralId: string; at: string }
  | { type: 'AcceptReferral'; referralId: string; at: string }
  | { type: 'DeclineReferral'; referralId: string; at: string; reason: DeclineReason }
  | { type: 'CloseReferral'; referralId: string; at: string; outcome: ClosureOutcome };
export type ReferralCommandType = ReferralCommand['type'];

/** The lifecycle, as one table: what each status allows, and where each command leads. */
export const TRANSITIONS: Record<ReferralStatus, Partial<Record<ReferralCommandType, ReferralStatus>>> = {
  made: { AcknowledgeReferral: 'acknowledged', AcceptReferral: 'accepted', DeclineReferral: 'declined', CloseReferral: 'closed' },
  acknowledged: { AcceptReferral: 'accepted', DeclineReferral: 'declined', CloseReferral: 'closed' },
  accepted: { CloseReferral: 'closed' },
  declined: {},
  closed: {},
};

export const allowedCommands = (status: ReferralStatus): ReferralCommandType[] => Object.keys(TRANSITIONS[status]) as ReferralCommandType[];

export class ReferralError {
  static notFound(referralId: string) {
    return new DomainError('REFERRAL.NOT_FOUND', `no referral ${referralId} was made at this node`, 'not_found');
  }
  static illegalTransition(referralId: string, from: ReferralStatus, command: ReferralCommandType) {
    const allowed = allowedCommands(from);
    return new DomainError(
      'REFERRAL.ILLEGAL_TRANSITION',
      `referral ${referralId} is ${from}: ${command} is not allowed${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it is final)'}`,
      'conflict',
      { referralStatus: from, allowedCommands: allowed },
    );
  }
  static beforePrevious(referralId: string, at: string, lastAt: string) {
    return new DomainError('REFERRAL.TIME_BEFORE_PREVIOUS', `the command is dated ${at}, before the referral's latest event (${lastAt})`, 'unprocessable', {
      errors: [{ field: 'at', message: `at must not be before ${lastAt}` }],
    });
  }
  static inFuture(at: string) {
    return new DomainError('REFERRAL.TIME_IN_FUTURE', `the command is dated ${at}, in the future`, 'unprocessable', {
      errors: [{ field: 'at', message: 'at is in the future' }],
    });
  }
  static concurrentChange(referralId: string) {
    return new DomainError('REFERRAL.CONCURRENT_CHANGE', `referral ${referralId} kept changing while this command was applied; read it again`, 'conflict');
  }
}

export const initialReferralState: ReferralState = { status: 'none' };

/** Folds one event into the state. Events come from the node's own stream, in stream order. */
export function evolve(state: ReferralState, event: EventEnvelope): ReferralState {
  const e = event as ReferralEvent;
  if (e.type === REFERRAL_MADE) {
    return {
      status: 'made',
      referralId: e.data.referralId,
      version: e.streamVersion,
      lastAt: e.data.referredAt,
      made: e.data,
      acknowledgedAt: null,
      acceptedAt: null,
      declined: null,
      closed: null,
    };
  }
  if (state.status === 'none') return state;
  const next = { ...state, version: e.streamVersion };
  switch (e.type) {
    case REFERRAL_ACKNOWLEDGED:
      return { ...next, status: 'acknowledged', lastAt: e.data.acknowledgedAt, acknowledgedAt: e.data.acknowledgedAt };
    case REFERRAL_ACCEPTED:
      return { ...next, status: 'accepted', lastAt: e.data.acceptedAt, acceptedAt: e.data.acceptedAt };
    case REFERRAL_DECLINED:
      return { ...next, status: 'declined', lastAt: e.data.declinedAt, declined: { at: e.data.declinedAt, reason: e.data.reason } };
    case REFERRAL_CLOSED:
      return { ...next, status: 'closed', lastAt: e.data.closedAt, closed: { at: e.data.closedAt, outcome: e.data.outcome } };
    default:
      return state;
  }
}

export type ReferralDecision =
  | { type: typeof REFERRAL_ACKNOWLEDGED; data: ReferralAcknowledgedData }
  | { type: typeof REFERRAL_ACCEPTED; data: ReferralAcceptedData }
  | { type: typeof REFERRAL_DECLINED; data: ReferralDeclinedData }
  | { type: typeof REFERRAL_CLOSED; data: ReferralClosedData };

/** A day's tolerance for a clock ahead of ours, as for movements. */
const FUTURE_TOLERANCE_MS = 86_400_000;

/** What a command records, given the referral's state: one event, or a domain error. */
export function decide(command: ReferralCommand, state: ReferralState, now: Date): ReferralDecision & { streamVersion: number } {
  if (state.status === 'none') throw ReferralError.notFound(command.referralId);
  if (TRANSITIONS[state.status][command.type] === undefined) throw ReferralError.illegalTransition(state.referralId, state.status, command.type);
  if (Date.parse(command.at) > now.getTime() + FUTURE_TOLERANCE_MS) throw ReferralError.inFuture(command.at);
  const at = toReferralHour(command.at);
  if (at < state.lastAt) throw ReferralError.beforePrevious(state.referralId, at, state.lastAt);
  const referralId = state.referralId;
  const streamVersion = state.version + 1;
  switch (command.type) {
    case 'AcknowledgeReferral':
      return { type: REFERRAL_ACKNOWLEDGED, data: { referralId, acknowledgedAt: at }, streamVersion };
    case 'AcceptReferral':
      return { type: REFERRAL_ACCEPTED, data: { referralId, acceptedAt: at }, streamVersion };
    case 'DeclineReferral':
      return { type: REFERRAL_DECLINED, data: { referralId, declinedAt: at, reason: command.reason }, streamVersion };
    case 'CloseReferral':
      return { type: REFERRAL_CLOSED, data: { referralId, closedAt: at, outcome: command.outcome }, streamVersion };
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/** A referral stream's decider, for the command pipeline: each step belongs to the local day of
 * the time it names. */
export const referralDecider: Decider<ReferralState, ReferralCommand, ReferralDecision & Decision> = {
  initialState: initialReferralState,
  evolve,
  decide: (command, state, { now }) => ({ ...decide(command, state, now), occurredOn: localDateOf(command.at) }),
};
