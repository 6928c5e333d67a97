import {
  REFERRAL_ACCEPTED,
  REFERRAL_ACKNOWLEDGED,
  REFERRAL_CLOSED,
  REFERRAL_DECLINED,
  REFERRAL_MADE,
  ReferralEvent,
  ReferralStatus,
} from '@caravanserai/contracts';

/** What the regional picture keeps of one referral: its dimensions and the time of each step. */
export interface ReferralFact {
  streamId: string;
  provider: string;
  madeOn: string | null;
  category: string | null;
  referredTo: string | null;
  sex: string | null;
  ageBand: string | null;
  specificNeeds: string[] | null;
  borderCrossingPoint: string | null;
  province: string | null;
  referredAt: string | null;
  acknowledgedAt: string | null;
  acceptedAt: string | null;
  declinedAt: string | null;
  declineReason: string | null;
  closedAt: string | null;
  outcome: string | null;
}

export const emptyFact = (streamId: string, provider: string): ReferralFact => ({
  streamId,
  provider,
  madeOn: null,
  category: null,
  referredTo: null,
  sex: null,
  ageBand: null,
  specificNeeds: null,
  borderCrossingPoint: null,
  province: null,
  referredAt: null,
  acknowledgedAt: null,
  acceptedAt: null,
  declinedAt: null,
  declineReason: null,
  closedAt: null,
  outcome: null,
});

/** Folds one event into a fact. Each event type writes only its own fields, so the result does
 * not depend on the order the events arrive in (merging is commutative and idempotent). */
export function mergeEvent(fact: ReferralFact, event: ReferralEvent): ReferralFact {
  switch (event.type) {
    case REFERRAL_MADE: {
      const d = event.data;
      return {
        ...fact,
        madeOn: event.occurredOn,
        category: d.category,
        referredTo: d.referredTo,
        sex: d.sex,
        ageBand: d.ageBand,
        specificNeeds: d.specificNeeds,
        borderCrossingPoint: d.borderCrossingPoint,
        province: d.province,
        referredAt: d.referredAt,
      };
    }
    case REFERRAL_ACKNOWLEDGED:
      return { ...fact, acknowledgedAt: event.data.acknowledgedAt };
    case REFERRAL_ACCEPTED:
      return { ...fact, acceptedAt: event.data.acceptedAt };
    case REFERRAL_DECLINED:
      return { ...fact, declinedAt: event.data.declinedAt, declineReason: event.data.reason };
    case REFERRAL_CLOSED:
      return { ...fact, closedAt: event.data.closedAt, outcome: event.data.outcome };
  }
}

/** The status the events in a fact imply; null until its ReferralMade is in. Mirrors the
 * generated column `referral_facts.status`. */
export function statusOf(fact: ReferralFact): ReferralStatus | null {
  if (fact.referredAt === null) return null;
  if (fact.closedAt !== null) return 'closed';
  if (fact.declinedAt !== null) return 'declined';
  if (fact.acceptedAt !== null) return 'accepted';
  if (fact.acknowledgedAt !== null) return 'acknowledged';
  return 'made';
}

/** A batch's events merged per referral, sorted by stream id so that concurrent writers lock
 * rows in the same order. One row per referral: a multi-row upsert may touch a row only once. */
export function factsOf(events: ReferralEvent[]): ReferralFact[] {
  const facts = new Map<string, ReferralFact>();
  for (const e of events) facts.set(e.streamId, mergeEvent(facts.get(e.streamId) ?? emptyFact(e.streamId, e.provider), e));
  return [...facts.values()].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
}
