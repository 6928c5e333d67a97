import { referralLifecycle } from '@caravanserai/testing';
import { parseReferralEvent } from './referral.schema';
import { toReferralHour } from './referrals';

const parse = (value: unknown) => parseReferralEvent(JSON.stringify(value));
const reason = (value: unknown) => {
  const r = parse(value);
  return r.ok ? 'ok' : r.reason;
};

describe('parseReferralEvent', () => {
  it('accepts every event of a lifecycle as a node publishes it; an absent movementEventId is null', () => {
    const events = referralLifecycle(['made', 'acknowledged', 'accepted', 'closed']);
    for (const e of events) expect(parse(e)).toEqual({ ok: true, event: e });
    const { movementEventId: _omit, ...data } = events[0].data as unknown as Record<string, unknown>;
    const parsed = parse({ ...events[0], data });
    expect(parsed.ok && (parsed.event.data as { movementEventId: unknown }).movementEventId).toBeNull();
  });

  it('refuses, with the reason, what a node could not have published', () => {
    const [made, accepted] = referralLifecycle(['made', 'accepted']);
    const [other] = referralLifecycle(['made']);
    expect(reason({ ...accepted, streamId: other.streamId })).toMatch(/streamId .* should be referral-/);
    expect(reason({ ...made, streamVersion: 2 })).toMatch(/streamVersion must be 1/);
    expect(reason({ ...accepted, streamVersion: 1 })).toMatch(/at least 2/);
    expect(reason({ ...made, data: { ...made.data, province: 'IR-11' } })).toMatch(/exactly one of/);
    expect(reason({ ...made, data: { ...made.data, borderCrossingPoint: 'PK-TORKHAM' } })).toMatch(/PK-TORKHAM is in PK, not in IR/);
    expect(reason({ ...made, data: { ...made.data, borderCrossingPoint: null, province: 'PK-BA' } })).toMatch(/PK-BA is not in IR/);
    expect(reason({ ...accepted, data: { ...accepted.data, acceptedAt: '2026-03-02T13:15:00Z' } })).toMatch(/acceptedAt must be a UTC timestamp on the hour/);
    expect(reason({ ...made, data: { ...made.data, fullName: 'x' } })).toMatch(/fullName should not exist/);
    expect(reason({ ...made, type: 'MovementRecorded' })).toMatch(/unknown event type/);
  });

  it('cuts a time to the whole UTC hour', () => {
    expect(toReferralHour('2026-03-02T01:15:59+04:30')).toBe('2026-03-01T20:00:00Z');
  });
});
