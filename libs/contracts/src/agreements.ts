import type { EventEnvelope } from './events';

/**
 * Data-sharing agreements: what a provider state shares, with whom, at what granularity.
 * Each agreement is a stream `agreement-<agreementId>` in the provider's node; its events are
 * published on `agreements.v1` (key = streamId) in the same envelope as every other event.
 */

export const AGREEMENT_GRANTED = 'AgreementGranted';
export const AGREEMENT_AMENDED = 'AgreementAmended';
export const AGREEMENT_REVOKED = 'AgreementRevoked';

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

export const agreementStreamId = (agreementId: string): string => `agreement-${agreementId}`;

export type AgreementGranted = EventEnvelope<typeof AGREEMENT_GRANTED, AgreementGrantedData> & { schemaVersion: 1 };
export type AgreementAmended = EventEnvelope<typeof AGREEMENT_AMENDED, AgreementAmendedData> & { schemaVersion: 1 };
export type AgreementRevoked = EventEnvelope<typeof AGREEMENT_REVOKED, AgreementRevokedData> & { schemaVersion: 1 };
export type AgreementEvent = AgreementGranted | AgreementAmended | AgreementRevoked;
