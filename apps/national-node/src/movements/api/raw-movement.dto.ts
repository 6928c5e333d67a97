import {
  CATEGORIES,
  DIRECTIONS,
  DOCUMENT_TYPES,
  IsBorderCrossingPoint,
  findBorderCrossingPoint,
  IsCountryCode,
  isCountryCode,
  SEXES,
  SPECIFIC_NEEDS,
} from '@caravanserai/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  isISO8601,
  Length,
  length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MAX_BATCH } from '../../config/node.config';
import type { RawMovement } from '../domain/raw-movement';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class RawMovementDto implements RawMovement {
  @ApiProperty({ description: "The national system's own id of the record; re-posting it is a no-op." })
  @IsString()
  @Length(1, 128)
  recordId: string;

  @ApiProperty({ example: '2026-03-02T08:15:00+04:30', description: 'Local time of the crossing, with its offset' })
  @IsISO8601({ strict: true })
  @Matches(TIMESTAMP, { message: 'crossedAt must be a timestamp with a time zone offset' })
  crossedAt: string;

  @ApiProperty({ enum: DIRECTIONS }) @IsIn(DIRECTIONS) direction: string;
  @ApiProperty({ example: 'IR-DOGHAROUN' }) @IsBorderCrossingPoint() borderCrossingPoint: string;
  @ApiProperty({ example: 'AF' }) @IsCountryCode() citizenship: string;
  @ApiPropertyOptional({ example: 'AF', nullable: true }) @IsOptional() @IsCountryCode() departedFrom?: string | null;
  @ApiPropertyOptional({ example: 'TR', nullable: true }) @IsOptional() @IsCountryCode() intendedDestination?: string | null;
  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category: string;
  @ApiProperty({ enum: SEXES }) @IsIn(SEXES) sex: string;

  @ApiPropertyOptional({ example: '1994-05-17', description: 'Turned into an age band; never stored' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be YYYY-MM-DD' })
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ enum: SPECIFIC_NEEDS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SPECIFIC_NEEDS.length)
  @IsIn(SPECIFIC_NEEDS, { each: true })
  specificNeeds?: string[];

  // Personal data a national system may send along. Accepted so that systems need not strip it,
  // dropped in memory by the anonymiser: never stored, logged or published.
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(512) fullName?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(128) documentNumber?: string;
  @ApiPropertyOptional({ enum: DOCUMENT_TYPES, description: 'Dropped, never stored' }) @IsOptional() @IsIn(DOCUMENT_TYPES) documentType?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(64) phone?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(1024) address?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(4096) notes?: string;
}

// The decorators above, compiled once into plain checks for the valid case (see
// `FastValidated` in @caravanserai/platform). Each line mirrors one property's decorators with
// class-validator's own predicates; raw-movement.dto.spec.ts checks that this never accepts what
// class-validator refuses. A field added above and not here only sends its records the slow way.
const nil = (v: unknown) => v === null || v === undefined;
const inSet = (values: readonly string[]) => {
  const set = new Set<unknown>(values);
  return (v: unknown) => set.has(v);
};
const isDirection = inSet(DIRECTIONS);
const isCategory = inSet(CATEGORIES);
const isSex = inSet(SEXES);
const isNeed = inSet(SPECIFIC_NEEDS);
const isDocumentType = inSet(DOCUMENT_TYPES);
const country = (v: unknown) => typeof v === 'string' && isCountryCode(v);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// The same predicates without their garbage (these run for every field of every record ingested):
// - `matches` is String.prototype.match, which makes an array; `test` says the same of a pattern
//   without the g flag.
// - `length`/`maxLength` count code points by matching surrogate pairs and variation selectors
//   into arrays; a string with neither has as many code points as UTF-16 units.
// - isISO8601's strict check (a valid calendar day) builds a Date and several strings from a
//   string of the form YYYY-MM-DD…; `isCalendarDay` reads the digits instead (the pattern itself
//   is still checked on the whole string). It refuses, as validator does, the years 0000–0099.
const COUNTED_APART = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;
const lengthIn = (v: unknown, min: number, max: number) =>
  typeof v === 'string' && (COUNTED_APART.test(v) ? length(v, min, max) : v.length >= min && v.length <= max);
const upTo = (max: number) => (v: unknown) => nil(v) || lengthIn(v, 0, max);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digits = (s: string, from: number, n: number) => {
  let value = 0;
  for (let i = from; i < from + n; i++) value = value * 10 + s.charCodeAt(i) - 48;
  return value;
};
/** Of a string that begins YYYY-MM-DD (digits), whether validator's strict ISO 8601 check takes
 * that day (raw-movement.dto.spec.ts compares the two on every such day). */
export function isCalendarDay(s: string): boolean {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}
const CHECKS: Record<keyof RawMovement, (v: unknown) => boolean> = {
  recordId: (v) => lengthIn(v, 1, 128),
  crossedAt: (v) => typeof v === 'string' && TIMESTAMP.test(v) && isISO8601(v) && isCalendarDay(v),
  direction: isDirection,
  borderCrossingPoint: (v) => typeof v === 'string' && findBorderCrossingPoint(v) !== undefined,
  citizenship: country,
  departedFrom: (v) => nil(v) || country(v),
  intendedDestination: (v) => nil(v) || country(v),
  category: isCategory,
  sex: isSex,
  dateOfBirth: (v) => nil(v) || (typeof v === 'string' && DATE_ONLY.test(v) && isISO8601(v) && isCalendarDay(v)),
  specificNeeds: (v) => nil(v) || (Array.isArray(v) && v.length <= SPECIFIC_NEEDS.length && v.every(isNeed)),
  fullName: upTo(512),
  documentNumber: upTo(128),
  documentType: (v) => nil(v) || isDocumentType(v),
  phone: upTo(64),
  address: upTo(1024),
  notes: upTo(4096),
};
const REQUIRED = ['recordId', 'crossedAt', 'direction', 'borderCrossingPoint', 'citizenship', 'category', 'sex'] as const;
const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]';

function recordIsValid(r: unknown): r is RawMovement {
  if (!isPlainObject(r)) return false;
  for (const key of REQUIRED) if (!has(r, key)) return false;
  for (const key of Object.keys(r)) {
    const check = has(CHECKS, key) ? CHECKS[key as keyof RawMovement] : undefined;
    if (!check || !check(r[key])) return false;
  }
  return true;
}

export class MovementBatchDto {
  /** The valid case of the decorators, without class-validator's per-record metadata walk. */
  static acceptIfValid(body: unknown): MovementBatchDto | null {
    if (!isPlainObject(body)) return null;
    const records = body.records;
    for (const key of Object.keys(body)) if (key !== 'records') return null;
    if (!Array.isArray(records) || records.length < 1 || records.length > MAX_BATCH) return null;
    for (const r of records) if (!recordIsValid(r)) return null;
    const batch = new MovementBatchDto();
    // The parsed records become the instances in place, rather than being copied into new ones
    // (as class-transformer does): the body is the request's own, read by nothing else, and it
    // stays alive until the answer anyway, so a copy would double what every batch holds.
    for (const r of records) Object.setPrototypeOf(r, RawMovementDto.prototype);
    batch.records = records as RawMovementDto[];
    return batch;
  }

  @ApiProperty({ type: [RawMovementDto], maxItems: MAX_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => RawMovementDto)
  records: RawMovementDto[];
}
