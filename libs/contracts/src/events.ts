import type { AgeBand, Category, Direction, Sex, SpecificNeed } from './reference/codes';

/** Topics are part of the contract between states: their names carry the major version. */
export const TOPICS = {
  movements: 'movements.v1',
  agreements: 'agreements.v1',
  referrals: 'referrals.v1',
  /** Published by the aggregator, not by a state: SurgeDetected and SurgeSubsided. */
  alerts: 'alerts.v1',
} as const;

/** A deployment may put its topics under a prefix (e.g. one namespace per test run); the
 * contract's names stay the same after it. */
export const topicName = (base: string, prefix = ''): string => `${prefix}${base}`;

/** Each recipient's own feed topic (docs/integrators.md, "Kafka topics"), written by the aggregator
 * only: `caravanserai.feed.` and the recipient with `:` as `.`, e.g. `caravanserai.feed.state.TR`. */
export const FEED_TOPIC_PREFIX = 'caravanserai.feed.';
export const feedTopicName = (recipient: string, prefix = ''): string => topicName(`${FEED_TOPIC_PREFIX}${recipient.replace(/:/g, '.')}`, prefix);

/** What every published message is (see docs/events.md). Nodes sign every envelope (`keyId`,
 * `signature`: docs/signing.md); they are optional here because an envelope is built before it is
 * signed, and an unsigned one at the aggregator is quarantined by the signature check, not the schema. */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  eventId: string;
  type: TType;
  schemaVersion: number;
  provider: string;
  streamId: string;
  streamVersion: number;
  occurredOn: string;
  recordedAt: string;
  data: TData;
  keyId?: string;
  /** Signature version 1: Ed25519 over this event alone (docs/signing.md). */
  signature?: string;
  /** Signature version 2 (schemaVersion 2 of the movement events): the signed Merkle root of the
   * node's batch and this event's inclusion proof, instead of `signature`. */
  batch?: { root: string; size: number; signature: string };
  proof?: { index: number; path: string[] };
}

export const MOVEMENT_RECORDED = 'MovementRecorded';
export const MOVEMENT_RETRACTED = 'MovementRetracted';

export interface MovementRecordedData {
  direction: Direction;
  borderCrossingPoint: string;
  citizenship: string;
  departedFrom: string | null;
  intendedDestination: string | null;
  category: Category;
  sex: Sex;
  ageBand: AgeBand;
  specificNeeds: SpecificNeed[];
}

export interface MovementRetractedData {
  /** The eventId of the MovementRecorded it withdraws. */
  movementEventId: string;
  reason: RetractionReason;
}

export const RETRACTION_REASONS = ['wrong_record', 'duplicate_record', 'data_entry_error'] as const;
export type RetractionReason = (typeof RETRACTION_REASONS)[number];

/** Version 2 of both movement events has the same `data` as version 1; it is signed by batch
 * (`batch`, `proof`) instead of one by one (`signature`). See docs/events.md, "Versioning". */
export type MovementRecorded = EventEnvelope<typeof MOVEMENT_RECORDED, MovementRecordedData> & { schemaVersion: 1 | 2 };
export type MovementRetracted = EventEnvelope<typeof MOVEMENT_RETRACTED, MovementRetractedData> & { schemaVersion: 1 | 2 };
export type MovementEvent = MovementRecorded | MovementRetracted;

/** A movement's stream: the record and, perhaps, its retraction. Keyed by stream on Kafka so that
 * a retraction always follows its record on the same partition. */
export const movementStreamId = (eventId: string): string => `movement-${eventId}`;

/** `departedFrom>provider>intendedDestination`; an unrecorded end is `ZZ` (unknown). */
export function routeOf(provider: string, departedFrom: string | null, intendedDestination: string | null): string {
  return `${departedFrom ?? 'ZZ'}>${provider}>${intendedDestination ?? 'ZZ'}`;
}
