import {
  CATEGORIES,
  CLOSURE_OUTCOMES,
  DECLINE_REASONS,
  IsBorderCrossingPoint,
  PROVINCE_CODE,
  REFERRAL_PATHWAYS,
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
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MAX_BATCH } from '../../config/node.config';
import type { RawReferral } from '../domain/raw-referral';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = (field: string) => [
  IsISO8601({ strict: true }, { message: `${field} must be a real ISO 8601 timestamp` }),
  Matches(TIMESTAMP, { message: `${field} must be a timestamp with a time zone offset` }),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));

export class RawReferralDto implements RawReferral {
  @ApiProperty({ description: "The national system's own id of the referral; re-posting it is a no-op." })
  @IsString()
  @Length(1, 128)
  recordId: string;

  @ApiProperty({ example: '2026-03-02T08:15:00+04:30', description: 'Local time of the referral, with its offset; published cut to the UTC hour' })
  @apply(timestamp('referredAt'))
  referredAt: string;

  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category: string;
  @ApiPropertyOptional({ enum: SPECIFIC_NEEDS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SPECIFIC_NEEDS.length)
  @IsIn(SPECIFIC_NEEDS, { each: true })
  specificNeeds?: string[];
  @ApiProperty({ enum: SEXES }) @IsIn(SEXES) sex: string;

  @ApiPropertyOptional({ example: '1994-05-17', description: 'Turned into an age band; never stored' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be YYYY-MM-DD' })
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ example: 'IR-DOGHAROUN', description: 'Where the person was profiled: a border crossing point of this state, or…' })
  @IsOptional()
  @IsBorderCrossingPoint()
  borderCrossingPoint?: string | null;
  @ApiPropertyOptional({ example: 'IR-11', description: '…a province of this state (ISO 3166-2); exactly one of the two' })
  @IsOptional()
  @Matches(PROVINCE_CODE, { message: 'province must be an ISO 3166-2 code such as IR-11' })
  province?: string | null;

  @ApiProperty({ enum: REFERRAL_PATHWAYS }) @IsIn(REFERRAL_PATHWAYS) referredTo: string;
  @ApiPropertyOptional({ description: 'The eventId of the movement (recorded at this node) this referral follows from' })
  @IsOptional()
  @IsUUID()
  movementEventId?: string | null;

  // Personal data a national system may send along: dropped in memory, never stored or published.
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(512) fullName?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(128) documentNumber?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(64) phone?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(1024) address?: string;
  @ApiPropertyOptional({ description: 'Dropped, never stored' }) @IsOptional() @IsString() @MaxLength(4096) notes?: string;
}

export class ReferralBatchDto {
  @ApiProperty({ type: [RawReferralDto], maxItems: MAX_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => RawReferralDto)
  records: RawReferralDto[];
}

/** The body of every lifecycle command: when it happened (default: now). */
export class LifecycleDto {
  @ApiPropertyOptional({ example: '2026-03-02T10:00:00+04:30', description: 'When it happened, with its offset; default: now' })
  @IsOptional()
  @apply(timestamp('at'))
  at?: string;
}
export class DeclineDto extends LifecycleDto {
  @ApiProperty({ enum: DECLINE_REASONS }) @IsIn(DECLINE_REASONS) reason: (typeof DECLINE_REASONS)[number];
}
export class ClosureDto extends LifecycleDto {
  @ApiProperty({ enum: CLOSURE_OUTCOMES }) @IsIn(CLOSURE_OUTCOMES) outcome: (typeof CLOSURE_OUTCOMES)[number];
}
