import {
  CATEGORIES,
  EMERGENCY_ACTIVATIONS,
  EVENT_KINDS,
  MAX_EMERGENCY_DAYS,
  GEO_GRANULARITIES,
  MAX_EMBARGO_DAYS,
  MAX_PURPOSE_LENGTH,
  MAX_REASON_LENGTH,
  PROVIDER_STATES,
  SHAREABLE_DIMENSIONS,
  TIME_GRANULARITIES,
} from '@caravanserai/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

// The DTOs check the JSON shape and types (and refuse unknown members). The values and how the
// terms hold together are checked by checkAgreementTerms in the decider, which reports every
// problem at once: a body with k = 0 and contradictory categories gets both in one answer.

export class CategoriesDto {
  @ApiPropertyOptional({ enum: CATEGORIES, isArray: true, description: 'Only these categories. Give include or exclude, not both.' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  include?: string[];

  @ApiPropertyOptional({ enum: CATEGORIES, isArray: true, example: ['victim_of_trafficking'], description: 'Every category but these.' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  exclude?: string[];
}

export class ScopeDto {
  @ApiProperty({ enum: EVENT_KINDS, isArray: true, example: ['movements'], description: 'At least one, no repeats' })
  @IsArray()
  @IsString({ each: true })
  eventKinds: string[];

  @ApiPropertyOptional({ type: CategoriesDto, description: 'Leave out to cover every category' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CategoriesDto)
  categories?: CategoriesDto;
}

/** Terms that apply only while an emergency the state activated them for lasts (docs/emergencies.md):
 * each may only loosen the grant's, never k, the scope or the data period. */
export class EmergencyTermsDto {
  @ApiProperty({ enum: TIME_GRANULARITIES, example: 'day', description: "The finest period during the emergency; not coarser than the grant's" })
  @IsString()
  minTimeGranularity: string;
  @ApiProperty({
    enum: GEO_GRANULARITIES,
    example: 'border_crossing_point',
    description: "The finest place during the emergency; not coarser than the grant's",
  })
  @IsString()
  minGeoGranularity: string;
  @ApiProperty({ type: 'integer', minimum: 0, example: 0, description: "Embargo during the emergency; not longer than the grant's" })
  @IsNumber()
  embargoDays: number;
  @ApiProperty({
    enum: SHAREABLE_DIMENSIONS,
    isArray: true,
    example: ['borderCrossingPoint', 'sex', 'ageBand'],
    description: "Added to the grant's dimensions during the emergency",
  })
  @IsArray()
  @IsString({ each: true })
  dimensions: string[];
  @ApiProperty({
    type: [String],
    example: ['org:UNHCR', 'org:IOM'],
    description: 'Further recipients who get the same emergency cut: secretariat, state:XX or org:NAME, never *',
  })
  @IsArray()
  @IsString({ each: true })
  recipients: string[];
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_EMERGENCY_DAYS,
    example: 30,
    description: 'The terms stay in effect at most this many days from their activation',
  })
  @IsNumber()
  maxDays: number;
  @ApiProperty({
    enum: EMERGENCY_ACTIVATIONS,
    example: 'at-node',
    description:
      'at-node: only when the state activates them here; on-critical-surge: also automatically on a critical surge alert on a route it reports in the emergency',
  })
  @IsString()
  activation: string;
}

const EMERGENCY = { type: EmergencyTermsDto, nullable: true, description: 'Emergency terms agreed in advance (docs/emergencies.md); null: none' } as const;

const TERMS = {
  recipient: {
    example: 'secretariat',
    description: 'secretariat, state:XX (ISO 3166-1 alpha-2), org:NAME (2-64 of A-Z, 0-9, _ and -) or * (anyone). Cannot be amended.',
  },
  dimensions: {
    enum: SHAREABLE_DIMENSIONS,
    isArray: true,
    example: ['route', 'category'],
    description: 'What the recipient may group or filter by; no repeats. borderCrossingPoint needs minGeoGranularity border_crossing_point.',
  },
  minTimeGranularity: { enum: TIME_GRANULARITIES, example: 'month', description: 'The finest period the recipient may see' },
  minGeoGranularity: { enum: GEO_GRANULARITIES, example: 'country', description: 'The finest place the recipient may see' },
  minCellSize: { type: 'integer', minimum: 1, example: 5, description: "k: a cell with fewer than k of this state's records is suppressed" },
  embargoDays: { type: 'integer', minimum: 0, maximum: MAX_EMBARGO_DAYS, example: 30, description: "Days before a day's data may be shown" },
  validFrom: {
    format: 'date',
    example: '2026-01-01',
    description: 'First day the agreement is in force (YYYY-MM-DD); says nothing about which data it covers',
  },
  validUntil: { format: 'date', nullable: true, example: '2026-12-31', description: 'Last day it is in force (YYYY-MM-DD), or null: until revoked' },
  dataFrom: {
    format: 'date',
    nullable: true,
    example: '2026-01-01',
    description: 'First day of data it covers (YYYY-MM-DD, inclusive; the day a movement or referral happened), or null/absent: no first day',
  },
  dataUntil: {
    format: 'date',
    nullable: true,
    example: '2026-12-31',
    description: 'Last day of data it covers (YYYY-MM-DD, inclusive, not before dataFrom), or null/absent: no last day',
  },
  purpose: { minLength: 1, maxLength: MAX_PURPOSE_LENGTH, example: 'Regional picture of mixed movements for the Almaty Process secretariat' },
} as const;

/** `POST /v1/agreements`: the terms of a grant. */
export class GrantAgreementDto {
  @ApiPropertyOptional({ enum: PROVIDER_STATES, description: "Optional; if given it must be this node's own state (403 otherwise)" })
  @IsOptional()
  @IsString()
  provider?: string;

  @ApiProperty(TERMS.recipient) @IsString() recipient: string;
  @ApiProperty({ type: ScopeDto }) @IsObject() @ValidateNested() @Type(() => ScopeDto) scope: ScopeDto;
  @ApiProperty(TERMS.dimensions) @IsArray() @IsString({ each: true }) dimensions: string[];
  @ApiProperty(TERMS.minTimeGranularity) @IsString() minTimeGranularity: string;
  @ApiProperty(TERMS.minGeoGranularity) @IsString() minGeoGranularity: string;
  @ApiProperty(TERMS.minCellSize) @IsNumber() minCellSize: number;
  @ApiProperty(TERMS.embargoDays) @IsNumber() embargoDays: number;
  @ApiProperty(TERMS.validFrom) @IsString() validFrom: string;
  @ApiProperty(TERMS.validUntil) @ValidateIf((o) => o.validUntil !== null) @IsString() validUntil: string | null;
  // Optional: left out, the grant covers data of every day (as one given null).
  @ApiPropertyOptional(TERMS.dataFrom) @IsOptional() @IsString() dataFrom?: string | null;
  @ApiPropertyOptional(TERMS.dataUntil) @IsOptional() @IsString() dataUntil?: string | null;
  @ApiProperty(TERMS.purpose) @IsString() purpose: string;
  @ApiPropertyOptional(EMERGENCY) @IsOptional() @IsObject() @ValidateNested() @Type(() => EmergencyTermsDto) emergency?: EmergencyTermsDto | null;
}

/** `PATCH /v1/agreements/{id}`: the terms that change, each given whole (a new `scope` replaces
 * the old one). `recipient` is accepted only to be refused with a clear reason if it differs. */
export class AmendAgreementDto {
  @ApiPropertyOptional({ ...TERMS.recipient, description: 'Cannot change: revoke and grant anew. Given with its current value, it is ignored.' })
  @IsOptional()
  @IsString()
  recipient?: string;

  @ApiPropertyOptional({ type: ScopeDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ScopeDto) scope?: ScopeDto;
  @ApiPropertyOptional(TERMS.dimensions) @IsOptional() @IsArray() @IsString({ each: true }) dimensions?: string[];
  @ApiPropertyOptional(TERMS.minTimeGranularity) @IsOptional() @IsString() minTimeGranularity?: string;
  @ApiPropertyOptional(TERMS.minGeoGranularity) @IsOptional() @IsString() minGeoGranularity?: string;
  @ApiPropertyOptional(TERMS.minCellSize) @IsOptional() @IsNumber() minCellSize?: number;
  @ApiPropertyOptional(TERMS.embargoDays) @IsOptional() @IsNumber() embargoDays?: number;
  @ApiPropertyOptional(TERMS.validFrom) @IsOptional() @IsString() validFrom?: string;
  // null is a value here (open-ended), so only a missing member means "unchanged".
  @ApiPropertyOptional(TERMS.validUntil)
  @ValidateIf((o) => o.validUntil !== undefined && o.validUntil !== null)
  @IsString()
  validUntil?: string | null;
  // Likewise: null lifts that bound of the data period; a missing member leaves it as it is.
  @ApiPropertyOptional(TERMS.dataFrom) @IsOptional() @IsString() dataFrom?: string | null;
  @ApiPropertyOptional(TERMS.dataUntil) @IsOptional() @IsString() dataUntil?: string | null;
  @ApiPropertyOptional(TERMS.purpose) @IsOptional() @IsString() purpose?: string;
  // null removes the emergency terms; a missing member leaves them as they are.
  @ApiPropertyOptional(EMERGENCY)
  @ValidateIf((o) => o.emergency !== undefined && o.emergency !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => EmergencyTermsDto)
  emergency?: EmergencyTermsDto | null;
}

/** `POST /v1/agreements/{id}/emergency-activations`. */
export class EmergencyActivationDto {
  @ApiProperty({ format: 'uuid', description: 'The emergency the secretariat declared at the aggregator (GET /v1/emergencies there)' })
  @IsUUID()
  emergencyId: string;

  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Declared emergency on AF>IR>TR: our emergency terms apply' })
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  @Matches(/\S/, { message: 'reason must say why the emergency terms are activated' })
  reason: string;
}

export class RevocationDto {
  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'The bilateral arrangement with the recipient ended' })
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  @Matches(/\S/, { message: 'reason must say why the agreement is revoked' })
  reason: string;
}

/** The listing takes no query parameters: any is refused (400), as the aggregator's endpoints do,
 * rather than silently ignored (a caller that believes it filtered would be misled). */
export class NoParametersDto {}
