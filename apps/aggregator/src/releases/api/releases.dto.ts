import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsDay } from '../../infrastructure/query-params';
import { RELEASE_FREQUENCIES, ReleaseFrequency } from '../domain/release';

export class CutReleaseDto {
  @ApiPropertyOptional({ description: 'Last day of data the release holds (default: yesterday, UTC; never today or later)', example: '2026-11-30' })
  @IsOptional()
  @IsDay('dataUntil')
  dataUntil?: string;

  @ApiPropertyOptional({ description: 'Why this release is cut, kept with it', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ReleaseScheduleDto {
  @ApiProperty({ enum: RELEASE_FREQUENCIES, description: 'daily; weekly on Mondays; monthly on the 1st; or off' })
  @IsIn(RELEASE_FREQUENCIES)
  frequency!: ReleaseFrequency;

  @ApiProperty({ description: 'Time of day, UTC, HH:MM', example: '02:00' })
  @Matches(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: 'atUtc must be HH:MM (UTC)' })
  atUtc!: string;
}
