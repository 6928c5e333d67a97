import type { AgeBand, Category, ReferralPathway, Sex, SpecificNeed } from './reference/codes';
import type { EventEnvelope } from './events';

/**
 * Referrals: one person referred, at profiling, to the authority that can protect them. Each
 * referral is a stream `referral-<referralId>` in the referring state's node, published on
 * `referrals.v1` (key = streamId, so that a referral's events keep their order on one partition).
 *
 * Times are UTC timestamps cut to the whole hour: enough to measure how long a referral waited,
 * too coarse to pick out one person at a small border post.
 */
export const REFERRAL_MADE = 'ReferralMade';
export const REFERRAL_ACKNOWLEDGED = 'ReferralAcknowledged';
export const REFERRAL_ACCEPTED = 'ReferralAccepted';
export const REFERRAL_DECLINED = 'ReferralDeclined';
export const REFERRAL_CLOSED = 'ReferralClosed';

export const REFERRAL_EVENT_TYPES = [REFERRAL_MADE, REFERRAL_ACKNOWLEDGED, REFERRAL_ACCEPTED, REFERRAL_DECLINED, REFERRAL_CLOSED] as const;

/** Why a receiving authority declines a referral. */
export const DECLINE_REASONS = ['not_eligible', 'outside_mandate', 'no_capacity', 'person_refused', 'duplicate_referral', 'other'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/** How a referral ends. `withdrawn`: closed before the authority accepted it. */
export const CLOSURE_OUTCOMES = ['services_provided', 'transferred_onward', 'person_moved_on', 'lost_contact', 'withdrawn', 'other'] as const;
export type ClosureOutcome = (typeof CLOSURE_OUTCOMES)[number];

/** The statuses of a referral; `declined` and `closed` are final. */
export const REFERRAL_STATUSES = ['made', 'acknowledged', 'accepted', 'declined', 'closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export interface ReferralMadeData {
  referralId: string;
  category: Category;
  specificNeeds: SpecificNeed[];
  sex: Sex;
  ageBand: AgeBand;
  /** Where the person was profiled: a border crossing point of the provider, or one of its
   * provinces (ISO 3166-2, e.g. `IR-11`); exactly one of the two. */
  borderCrossingPoint: string | null;
  province: string | null;
  referredTo: ReferralPathway;
  /** The MovementRecorded this referral follows from, if any. */
  movementEventId: string | null;
  referredAt: string;
}
export interface ReferralAcknowledgedData {
  referralId: string;
  acknowledgedAt: string;
}
export interface ReferralAcceptedData {
  referralId: string;
  acceptedAt: string;
}
export interface ReferralDeclinedData {
  referralId: string;
  declinedAt: string;
  reason: DeclineReason;
}
export interface ReferralClosedData {
  referralId: string;
  closedAt: string;
  outcome: ClosureOutcome;
}

export type ReferralMade = EventEnvelope<typeof REFERRAL_MADE, ReferralMadeData> & { schemaVersion: 1 };
export type ReferralAcknowledged = EventEnvelope<typeof REFERRAL_ACKNOWLEDGED, ReferralAcknowledgedData> & { schemaVersion: 1 };
export type ReferralAccepted = EventEnvelope<typeof REFERRAL_ACCEPTED, ReferralAcceptedData> & { schemaVersion: 1 };
export type ReferralDeclined = EventEnvelope<typeof REFERRAL_DECLINED, ReferralDeclinedData> & { schemaVersion: 1 };
export type ReferralClosed = EventEnvelope<typeof REFERRAL_CLOSED, ReferralClosedData> & { schemaVersion: 1 };
export type ReferralEvent = ReferralMade | ReferralAcknowledged | ReferralAccepted | ReferralDeclined | ReferralClosed;

export const referralStreamId = (referralId: string): string => `referral-${referralId}`;

/** A timestamp as referral events carry it: UTC, cut to the whole hour. */
export function toReferralHour(timestamp: string | Date): string {
  const d = new Date(timestamp);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

/** The time of an event of the lifecycle, whichever its type. */
export function referralEventTime(event: ReferralEvent): string {
  switch (event.type) {
    case REFERRAL_MADE:
      return event.data.referredAt;
    case REFERRAL_ACKNOWLEDGED:
      return event.data.acknowledgedAt;
    case REFERRAL_ACCEPTED:
      return event.data.acceptedAt;
    case REFERRAL_DECLINED:
      return event.data.declinedAt;
    case REFERRAL_CLOSED:
      return event.data.closedAt;
  }
}

/** The local date of a timestamp written with its offset: the day as it was where it happened. */
export const localDateOf = (timestamp: string): string => timestamp.slice(0, 10);
