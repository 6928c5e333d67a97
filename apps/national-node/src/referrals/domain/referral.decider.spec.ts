import {
  DomainError,
  EventEnvelope,
  REFERRAL_ACCEPTED,
  REFERRAL_ACKNOWLEDGED,
  REFERRAL_CLOSED,
  REFERRAL_DECLINED,
  REFERRAL_MADE,
  REFERRAL_STATUSES,
  ReferralStatus,
} from '@caravanserai/contracts';
import { deciderSpec } from '@caravanserai/testing';
import { allowedCommands, decide, evolve, initialReferralState, ReferralCommand, ReferralCommandType, ReferralState, TRANSITIONS } from './referral.decider';

const id = '01963c4e-0000-7000-8000-0000000000aa';
const now = new Date('2026-03-10T12:00:00Z');
let version = 0;
const event = (type: string, data: Record<string, unknown>): EventEnvelope => ({
  eventId: `01963c4e-0000-7000-8000-${String(++version).padStart(12, '0')}`,
  type,
  schemaVersion: 1,
  provider: 'IR',
  streamId: `referral-${id}`,
  streamVersion: version,
  occurredOn: '2026-03-02',
  recordedAt: '2026-03-02T10:00:00.000Z',
  data: { referralId: id, ...data },
});
const made = () =>
  event(REFERRAL_MADE, {
    category: 'unaccompanied_child',
    specificNeeds: ['unaccompanied_or_separated_child'],
    sex: 'male',
    ageBand: '12-17',
    borderCrossingPoint: 'IR-DOGHAROUN',
    province: null,
    referredTo: 'child_protection',
    movementEventId: null,
    referredAt: '2026-03-02T08:00:00Z',
  });
const acknowledged = () => event(REFERRAL_ACKNOWLEDGED, { acknowledgedAt: '2026-03-02T09:00:00Z' });
const accepted = () => event(REFERRAL_ACCEPTED, { acceptedAt: '2026-03-03T10:00:00Z' });
const declined = () => event(REFERRAL_DECLINED, { declinedAt: '2026-03-03T10:00:00Z', reason: 'no_capacity' });
const closed = () => event(REFERRAL_CLOSED, { closedAt: '2026-03-05T10:00:00Z', outcome: 'services_provided' });

/** The events that bring a referral to each status. */
const HISTORY: Record<ReferralStatus, () => EventEnvelope[]> = {
  made: () => [made()],
  acknowledged: () => [made(), acknowledged()],
  accepted: () => [made(), acknowledged(), accepted()],
  declined: () => [made(), declined()],
  closed: () => [made(), accepted(), closed()],
};
const given = deciderSpec({
  decide: (command: ReferralCommand, state: ReferralState) => decide(command, state, now),
  evolve,
  initialState: initialReferralState,
});
/** The events that bring a referral to `status`, numbered from version 1. */
const history = (status: ReferralStatus) => {
  version = 0;
  return HISTORY[status]();
};

const at = '2026-03-06T10:45:00+03:30'; // 07:15 UTC
const COMMANDS: Record<ReferralCommandType, ReferralCommand> = {
  AcknowledgeReferral: { type: 'AcknowledgeReferral', referralId: id, at },
  AcceptReferral: { type: 'AcceptReferral', referralId: id, at },
  DeclineReferral: { type: 'DeclineReferral', referralId: id, at, reason: 'outside_mandate' },
  CloseReferral: { type: 'CloseReferral', referralId: id, at, outcome: 'transferred_onward' },
};
const EXPECTED: Record<ReferralCommandType, { type: string; data: Record<string, unknown> }> = {
  AcknowledgeReferral: { type: REFERRAL_ACKNOWLEDGED, data: { referralId: id, acknowledgedAt: '2026-03-06T07:00:00Z' } },
  AcceptReferral: { type: REFERRAL_ACCEPTED, data: { referralId: id, acceptedAt: '2026-03-06T07:00:00Z' } },
  DeclineReferral: { type: REFERRAL_DECLINED, data: { referralId: id, declinedAt: '2026-03-06T07:00:00Z', reason: 'outside_mandate' } },
  CloseReferral: { type: REFERRAL_CLOSED, data: { referralId: id, closedAt: '2026-03-06T07:00:00Z', outcome: 'transferred_onward' } },
};

const legal = REFERRAL_STATUSES.flatMap((s) => (Object.keys(TRANSITIONS[s]) as ReferralCommandType[]).map((c) => [s, c, TRANSITIONS[s][c]!] as const));
const illegal = REFERRAL_STATUSES.flatMap((s) =>
  (Object.keys(COMMANDS) as ReferralCommandType[]).filter((c) => TRANSITIONS[s][c] === undefined).map((c) => [s, c] as const),
);

describe('referral decider', () => {
  it('covers the whole table: 8 legal transitions, 12 illegal ones', () => {
    expect(legal).toHaveLength(8);
    expect(illegal).toHaveLength(12);
  });

  it.each(legal)('given a %s referral, when %s, then its event at the next version, and the referral is %s', (status, command, next) => {
    const when = given(history(status)).when(COMMANDS[command]);
    when.then({ ...EXPECTED[command], streamVersion: HISTORY[status]().length + 1 } as never);
    const [decision] = when.decided();
    const after = evolve(when.state, { ...made(), type: decision.type, streamVersion: decision.streamVersion, data: decision.data });
    expect(after.status).toBe(next);
  });

  it.each(illegal)('given a %s referral, when %s, then 409 with the status and the allowed commands', (status, command) => {
    given(history(status))
      .when(COMMANDS[command])
      .thenThrows(
        { code: 'REFERRAL.ILLEGAL_TRANSITION', kind: 'conflict', details: { referralStatus: status, allowedCommands: allowedCommands(status) } },
        DomainError,
      );
  });

  it('given nothing, when any command, then not found', () => {
    for (const command of Object.values(COMMANDS)) {
      given([]).when(command).thenThrows({ code: 'REFERRAL.NOT_FOUND', kind: 'not_found' });
    }
  });

  it('refuses a command dated before the latest event, and one in the future', () => {
    const acknowledgedReferral = given(history('acknowledged'));
    acknowledgedReferral
      .when({ ...COMMANDS.AcceptReferral, at: '2026-03-02T08:30:00Z' })
      .thenThrows({ code: 'REFERRAL.TIME_BEFORE_PREVIOUS', kind: 'unprocessable' });
    acknowledgedReferral.when({ ...COMMANDS.AcceptReferral, at: '2026-03-12T12:00:00Z' }).thenThrows({ code: 'REFERRAL.TIME_IN_FUTURE' });
    // The same hour as the latest event is fine: the times are cut to the hour.
    acknowledgedReferral
      .when({ ...COMMANDS.AcceptReferral, at: '2026-03-02T09:59:00Z' })
      .then({ type: REFERRAL_ACCEPTED, data: { referralId: id, acceptedAt: '2026-03-02T09:00:00Z' }, streamVersion: 3 });
  });

  it('folds a history into the state it describes', () => {
    version = 0;
    expect(given([made(), acknowledged(), accepted(), closed()]).state).toMatchObject({
      status: 'closed',
      version: 4,
      acknowledgedAt: '2026-03-02T09:00:00Z',
      acceptedAt: '2026-03-03T10:00:00Z',
      closed: { at: '2026-03-05T10:00:00Z', outcome: 'services_provided' },
      lastAt: '2026-03-05T10:00:00Z',
    });
  });
});
