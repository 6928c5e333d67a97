import type { EventEnvelope } from './events';

/**
 * Data-sharing agreements: what a provider state shares, with whom, at what granularity.
 * Each agreement is a stream `agreement-<agreementId>` in the provider's node; its events are
 * published on `agreements.v1` (key = streamId) in the same envelope as every other event.
 */

export const AGREEMENT_GRANTED = 'AgreementGranted';
export const AGREEMENT_AMENDED = 'AgreementAmended';
export const AGREEMENT_REVOKED = 'AgreementRevoked';
/** A state turns its emergency terms on for one declared emergency, at its own node. */
export const EMERGENCY_TERMS_ACTIVATED = 'EmergencyTermsActivated';

/** The kinds of event an agreement can cover. */
export const EVENT_KINDS = ['movements', 'referrals'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Time granularities, finest first: a grant's minimum is the finest a recipient may see. */
export const TIME_GRANULARITIES = ['day', 'week', 'month', 'year'] as const;
export type TimeGranularity = (typeof TIME_GRANULARITIES)[number];

/** Geographic granularities, finest first. */
export const GEO_GRANULARITIES = ['border_crossing_point', 'country'] as const;
export type GeoGranularity = (typeof GEO_GRANULARITIES)[number];

/** Dimensions a grant may allow recipients to group or filter by. `borderCrossingPoint` also
 * needs `minGeoGranularity: border_crossing_point`. */
export const SHAREABLE_DIMENSIONS = [
  'route',
  'provider',
  'borderCrossingPoint',
  'direction',
  'departedFrom',
  'intendedDestination',
  'citizenship',
  'category',
  'sex',
  'ageBand',
  'specificNeeds',
  'referredTo',
  'status',
] as const;
export type ShareableDimension = (typeof SHAREABLE_DIMENSIONS)[number];

/** `secretariat`, `state:XX`, `org:NAME` (NAME: 2–64 of A–Z, 0–9, _ and -), or `*` (anyone). */
export const RECIPIENT_PATTERN = /^(secretariat|state:[A-Z]{2}|org:[A-Z0-9_-]{2,64}|\*)$/;

/** How a state's emergency terms take effect once the secretariat declares an emergency that
 * covers its data: only when the state activates them at its own node (`at-node`), or also
 * automatically when a critical surge alert stands on a route it reports in the emergency's scope
 * (`on-critical-surge`). */
export const EMERGENCY_ACTIVATIONS = ['at-node', 'on-critical-surge'] as const;
export type EmergencyActivation = (typeof EMERGENCY_ACTIVATIONS)[number];

/** The longest an activation of emergency terms may last, in days. */
export const MAX_EMERGENCY_DAYS = 90;

/**
 * Terms a state agrees in advance for a declared emergency (docs/emergencies.md). They sit over the
 * grant and can only loosen time, place, embargo and dimensions, and add recipients, for at most
 * `maxDays` from activation, for data in the emergency's scope: never k, never the event kinds or
 * categories, never the data period.
 */
export interface EmergencyTerms {
  /** Not coarser than the grant's. */
  minTimeGranularity: TimeGranularity;
  minGeoGranularity: GeoGranularity;
  /** Not longer than the grant's. */
  embargoDays: number;
  /** Added to the grant's dimensions while the terms are in effect. */
  dimensions: ShareableDimension[];
  /** Further recipients who get the same emergency cut (never `*`). */
  recipients: string[];
  /** 1..90: the terms stay in effect at most this many days from their activation. */
  maxDays: number;
  activation: EmergencyActivation;
}

export interface AgreementScope {
  eventKinds: EventKind[];
  /** Exactly one of the two, or neither (all categories). */
  categories?: { include?: string[]; exclude?: string[] };
}

/** The terms of a grant; an amendment replaces some of them. */
export interface AgreementTerms {
  recipient: string;
  scope: AgreementScope;
  dimensions: ShareableDimension[];
  minTimeGranularity: TimeGranularity;
  minGeoGranularity: GeoGranularity;
  /** k ≥ 1: a cell built from fewer than k of this provider's records is suppressed. */
  minCellSize: number;
  /** Days before a day's data may be shown (0: at once). */
  embargoDays: number;
  /** When the agreement is in force: its first day, YYYY-MM-DD, inclusive. Says nothing about
   * which days of data it covers (see dataFrom/dataUntil). */
  validFrom: string;
  /** When the agreement is in force: its last day, YYYY-MM-DD, inclusive; null: until revoked. */
  validUntil: string | null;
  /** Which data it covers: the first day of data (a movement's day, a referral's day), YYYY-MM-DD,
   * inclusive; null or absent: no lower bound. Optional so that every grant published before the
   * term existed stays valid (absent = null). */
  dataFrom?: string | null;
  /** Which data it covers: the last day of data, YYYY-MM-DD, inclusive, not before dataFrom; null
   * or absent: no upper bound. */
  dataUntil?: string | null;
  purpose: string;
  /** Terms that apply only during a declared emergency the state has activated them for; absent
   * or null: none. An event that carries it is schemaVersion 2. */
  emergency?: EmergencyTerms | null;
}

/** The terms with the data period spelt out: an absent dataFrom/dataUntil is null (unbounded). */
export function withDataPeriod<T extends Partial<AgreementTerms>>(terms: T): T & { dataFrom: string | null; dataUntil: string | null } {
  return { ...terms, dataFrom: terms.dataFrom ?? null, dataUntil: terms.dataUntil ?? null };
}

export interface AgreementGrantedData extends AgreementTerms {
  agreementId: string;
}

export interface AgreementAmendedData {
  agreementId: string;
  /** Only the terms that change; `recipient` cannot change (revoke and grant anew). */
  changes: Partial<Omit<AgreementTerms, 'recipient'>>;
}

export interface AgreementRevokedData {
  agreementId: string;
  reason: string;
}

export interface EmergencyTermsActivatedData {
  agreementId: string;
  /** The emergency the secretariat declared at the aggregator (GET /v1/emergencies). */
  emergencyId: string;
  reason: string;
}

export const agreementStreamId = (agreementId: string): string => `agreement-${agreementId}`;

/** Version 2 of a grant or an amendment is version 1 with the `emergency` term; a node publishes it
 * only for an event that carries that term, so a state without emergency terms stays at version 1. */
export type AgreementGranted = EventEnvelope<typeof AGREEMENT_GRANTED, AgreementGrantedData> & { schemaVersion: 1 | 2 };
export type AgreementAmended = EventEnvelope<typeof AGREEMENT_AMENDED, AgreementAmendedData> & { schemaVersion: 1 | 2 };
export type AgreementRevoked = EventEnvelope<typeof AGREEMENT_REVOKED, AgreementRevokedData> & { schemaVersion: 1 };
export type EmergencyTermsActivated = EventEnvelope<typeof EMERGENCY_TERMS_ACTIVATED, EmergencyTermsActivatedData> & { schemaVersion: 1 };
export type AgreementEvent = AgreementGranted | AgreementAmended | AgreementRevoked | EmergencyTermsActivated;

/** The schemaVersion an agreement event is published at: 2 when its data carries the `emergency`
 * term (a grant's, or an amendment's changes), else 1 (docs/events.md, "Versioning"). */
export function agreementSchemaVersion(type: string, data: object): 1 | 2 {
  const terms = type === AGREEMENT_AMENDED ? (data as AgreementAmendedData).changes : type === AGREEMENT_GRANTED ? data : {};
  return (terms as { emergency?: unknown }).emergency !== undefined ? 2 : 1;
}
