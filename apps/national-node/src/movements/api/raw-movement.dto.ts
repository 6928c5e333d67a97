import {
  CATEGORIES,
  DIRECTIONS,
  DOCUMENT_TYPES,
  IsBorderCrossingPoint,
  IsCountryCode,
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
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MAX_BATCH } from '../../config/node.config';
import type { RawMovement } from '../domain/raw-movement';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class RawMovementDto implements RawMovement {
  @ApiProperty({ description: "The national system's own id of the record; re-posting it is a no-op." })
  @IsString() @Length(1, 128) recordId: string;

  @ApiProperty({ example: '2026-03-02T08:15:00+04:30', description: 'Local time of the crossing, with its offset' })
  @IsISO8601({ strict: true }) @Matches(TIMESTAMP, { message: 'crossedAt must be a timestamp with a time zone offset' })
  crossedAt: string;

  @ApiProperty({ enum: DIRECTIONS }) @IsIn(DIRECTIONS) direction: string;
  @ApiProperty({ example: 'IR-DOGHAROUN' }) @IsBorderCrossingPoint() borderCrossingPoint: string;
  @ApiProperty({ example: 'AF' }) @IsCountryCode() citizenship: string;
  @ApiPropertyOptional({ example: 'AF', nullable: true }) @IsOptional() @IsCountryCode() departedFrom?: string | null;
  @ApiPropertyOptional({ example: 'TR', nullable: true }) @IsOptional() @IsCountryCode() intendedDestination?: string | null;
  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category: string;
  @ApiProperty({ enum: SEXES }) @IsIn(SEXES) sex: string;

  @ApiPropertyOptional({ example: '1994-05-17', description: 'Turned into an age band; never stored' })
  @IsOptional() @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be YYYY-MM-DD' })
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ enum: SPECIFIC_NEEDS, isArray: true })
  @IsOptional() @IsArray() @ArrayMaxSize(SPECIFIC_NEEDS.length) @IsIn(SPECIFIC_NEEDS, { each: true })
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

export class MovementBatchDto {
  @ApiProperty({ type: [RawMovementDto], maxItems: MAX_BATCH })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true }) @Type(() => RawMovementDto)
  records: RawMovementDto[];
}
