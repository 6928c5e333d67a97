import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsUUID, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { EnvelopeDto, MessageBody, ParseResult, parseWith, Schemas } from './envelope.schema';
import { AGE_BANDS, CATEGORIES, findBorderCrossingPoint, REFERRAL_PATHWAYS, SEXES, SPECIFIC_NEEDS } from './reference';
import {
  CLOSURE_OUTCOMES,
  DECLINE_REASONS,
  REFERRAL_ACCEPTED,
  REFERRAL_ACKNOWLEDGED,
  REFERRAL_CLOSED,
  REFERRAL_DECLINED,
  REFERRAL_MADE,
  ReferralEvent,
  referralStreamId,
} from './referrals';
import { IsBorderCrossingPoint } from './validators';

/** A referral event's time: UTC, on the hour (see referrals.ts). */
export const REFERRAL_HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/;
/** ISO 3166-2 subdivision code. */
export const PROVINCE_CODE = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;
const hour = (field: string) => Matches(REFERRAL_HOUR, { message: `${field} must be a UTC timestamp on the hour, e.g. 2026-03-02T08:00:00Z` });

export class ReferralMadeDataDto {
  @IsUUID() referralId: string;
  @IsIn(CATEGORIES) category: string;
  @IsArray() @ArrayMaxSize(SPECIFIC_NEEDS.length) @ArrayUnique() @IsIn(SPECIFIC_NEEDS, { each: true }) specificNeeds: string[];
  @IsIn(SEXES) sex: string;
  @IsIn(AGE_BANDS) ageBand: string;
  @ValidateIf((o) => o.borderCrossingPoint !== null) @IsBorderCrossingPoint() borderCrossingPoint: string | null;
  @ValidateIf((o) => o.province !== null) @Matches(PROVINCE_CODE, { message: 'province must be an ISO 3166-2 code such as IR-11' }) province: string | null;
  @IsIn(REFERRAL_PATHWAYS) referredTo: string;
  @IsOptional() @IsUUID() movementEventId: string | null;
  @hour('referredAt') referredAt: string;
}
export class ReferralAcknowledgedDataDto {
  @IsUUID() referralId: string;
  @hour('acknowledgedAt') acknowledgedAt: string;
}
export class ReferralAcceptedDataDto {
  @IsUUID() referralId: string;
  @hour('acceptedAt') acceptedAt: string;
}
export class ReferralDeclinedDataDto {
  @IsUUID() referralId: string;
  @hour('declinedAt') declinedAt: string;
  @IsIn(DECLINE_REASONS) reason: string;
}
export class ReferralClosedDataDto {
  @IsUUID() referralId: string;
  @hour('closedAt') closedAt: string;
  @IsIn(CLOSURE_OUTCOMES) outcome: string;
}

const envelopeOf = (data: new () => object) => {
  class Envelope extends EnvelopeDto {
    @ValidateNested() @Type(() => data) declare data: object;
  }
  return Envelope;
};

/** The referral types and versions the aggregator knows, by type. */
export const REFERRAL_SCHEMAS: Schemas = {
  [REFERRAL_MADE]: { 1: envelopeOf(ReferralMadeDataDto) },
  [REFERRAL_ACKNOWLEDGED]: { 1: envelopeOf(ReferralAcknowledgedDataDto) },
  [REFERRAL_ACCEPTED]: { 1: envelopeOf(ReferralAcceptedDataDto) },
  [REFERRAL_DECLINED]: { 1: envelopeOf(ReferralDeclinedDataDto) },
  [REFERRAL_CLOSED]: { 1: envelopeOf(ReferralClosedDataDto) },
};

/** Parses and validates one message of `referrals.v1`. Never throws: what is not a valid event
 * comes back with the reason, for the quarantine. */
export function parseReferralEvent(raw: MessageBody): ParseResult<ReferralEvent> {
  const parsed = parseWith(raw, REFERRAL_SCHEMAS);
  if (!parsed.ok) return parsed;
  const event = parsed.event as ReferralEvent;
  const invalid = (why: string): ParseResult<ReferralEvent> => ({ ok: false, reason: `invalid ${event.type}: ${why}` });
  if (event.streamId !== referralStreamId(event.data.referralId)) {
    return invalid(`streamId ${event.streamId} should be ${referralStreamId(event.data.referralId)}`);
  }
  if (event.type === REFERRAL_MADE) {
    const d = event.data;
    d.movementEventId ??= null;
    if (event.streamVersion !== 1) return invalid(`a referral opens its stream: streamVersion must be 1, not ${event.streamVersion}`);
    if ((d.borderCrossingPoint === null) === (d.province === null)) return invalid('exactly one of data.borderCrossingPoint and data.province must be given');
    const bcp = d.borderCrossingPoint === null ? undefined : findBorderCrossingPoint(d.borderCrossingPoint);
    if (bcp && bcp.state !== event.provider) return invalid(`data.borderCrossingPoint ${d.borderCrossingPoint} is in ${bcp.state}, not in ${event.provider}`);
    if (d.province !== null && !d.province.startsWith(`${event.provider}-`)) return invalid(`data.province ${d.province} is not in ${event.provider}`);
  } else if (event.streamVersion < 2) {
    return invalid(`a lifecycle event follows its ReferralMade: streamVersion must be at least 2, not ${event.streamVersion}`);
  }
  return { ok: true, event };
}
