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
  matches,
  MaxLength,
  maxLength,
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
const STRICT = { strict: true };
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CHECKS: Record<keyof RawMovement, (v: unknown) => boolean> = {
  recordId: (v) => length(v, 1, 128),
  crossedAt: (v) => isISO8601(v, STRICT) && matches(v as string, TIMESTAMP),
  direction: isDirection,
  borderCrossingPoint: (v) => typeof v === 'string' && findBorderCrossingPoint(v) !== undefined,
  citizenship: country,
  departedFrom: (v) => nil(v) || country(v),
  intendedDestination: (v) => nil(v) || country(v),
  category: isCategory,
  sex: isSex,
  dateOfBirth: (v) => nil(v) || (isISO8601(v, STRICT) && matches(v as string, DATE_ONLY)),
  specificNeeds: (v) => nil(v) || (Array.isArray(v) && v.length <= SPECIFIC_NEEDS.length && v.every(isNeed)),
  fullName: (v) => nil(v) || maxLength(v, 512),
  documentNumber: (v) => nil(v) || maxLength(v, 128),
  documentType: (v) => nil(v) || isDocumentType(v),
  phone: (v) => nil(v) || maxLength(v, 64),
  address: (v) => nil(v) || maxLength(v, 1024),
  notes: (v) => nil(v) || maxLength(v, 4096),
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
    batch.records = records.map((r: RawMovement) => {
      const dto = Object.assign(new RawMovementDto(), r);
      // class-transformer gives each instance its own copy of an array.
      if (Array.isArray(r.specificNeeds)) dto.specificNeeds = [...r.specificNeeds];
      return dto;
    });
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
