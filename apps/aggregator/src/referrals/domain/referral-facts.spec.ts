import { ReferralEvent } from '@caravanserai/contracts';
import { referralLifecycle } from '@caravanserai/testing';
import fc from 'fast-check';
import { emptyFact, factsOf, mergeEvent, statusOf } from './referral-facts';

const lifecycles = {
  made: ['made'],
  acknowledged: ['made', 'acknowledged'],
  accepted: ['made', 'acknowledged', 'accepted'],
  declined: ['made', 'declined'],
  closed: ['made', 'accepted', 'closed'],
  withdrawn: ['made', 'acknowledged', 'closed'],
} as const;

describe('referral facts', () => {
  it.each(Object.entries(lifecycles))('given the events of a %s referral, the fact has the status of its last step', (name, steps) => {
    const events = referralLifecycle([...steps]);
    const fact = events.reduce(mergeEvent, emptyFact(events[0].streamId, 'IR'));
    expect(statusOf(fact)).toBe(name === 'withdrawn' ? 'closed' : name);
  });

  it('has no status while its ReferralMade is missing: an acceptance that overtook its referral waits', () => {
    const [, accepted] = referralLifecycle(['made', 'accepted']);
    expect(statusOf(mergeEvent(emptyFact(accepted.streamId, 'IR'), accepted))).toBeNull();
  });

  it('ends in the same fact whatever order the events arrive in, and with some arriving twice (property)', () => {
    const all = Object.values(lifecycles).map((steps) => referralLifecycle([...steps]));
    const inOrder = factsOf(all.flat());
    fc.assert(
      fc.property(fc.shuffledSubarray(all.flat(), { minLength: all.flat().length }), fc.array(fc.nat(), { maxLength: 10 }), (shuffled, again) => {
        const withRepeats: ReferralEvent[] = [...shuffled, ...again.map((i) => shuffled[i % shuffled.length])];
        expect(factsOf(withRepeats)).toEqual(inOrder);
      }),
    );
  });

  it('merges a batch into one row per referral, sorted by stream id', () => {
    const a = referralLifecycle(['made', 'accepted']);
    const b = referralLifecycle(['made']);
    const facts = factsOf([a[1], b[0], a[0]]);
    expect(facts.map((f) => f.streamId)).toEqual([a[0].streamId, b[0].streamId].sort());
    expect(facts.map(statusOf).sort()).toEqual(['accepted', 'made']);
  });
});
