import { PROVIDER_STATES } from '@caravanserai/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';

const INSTANT = { message: 'must be an ISO 8601 date or timestamp' };

export class AuditQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Entries at or after this instant (a date means its start, UTC)' })
  @IsOptional()
  @IsISO8601({ strict: true }, INSTANT)
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Entries before this instant (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, INSTANT)
  to?: string;

  @ApiPropertyOptional({
    enum: ['mine'],
    description:
      "A state only: instead of its own queries, the others' queries that concerned its data, each reduced to when, who, which endpoint, why, and the state's own agreement (no parameters, no counts, no other provider)",
  })
  @IsOptional()
  @IsIn(['mine'], { message: 'about accepts only: mine' })
  about?: 'mine';

  @ApiPropertyOptional({ example: 'org:UNHCR', description: 'Entries of this caller only (for a reader, within what it may read)' })
  @IsOptional()
  @Matches(/^(secretariat|state:[A-Z]{2}|org:[A-Z0-9_-]{2,64})$/, { message: 'principal must be secretariat, state:XX or org:NAME' })
  principal?: string;

  @ApiPropertyOptional({ example: 'IR', description: 'Entries about this state’s data only (with about=mine, only the caller’s own state)' })
  @IsOptional()
  @IsIn(PROVIDER_STATES, { message: `provider accepts only: ${PROVIDER_STATES.join(', ')}` })
  provider?: string;

  @ApiPropertyOptional({ description: 'Entries older than this id (the `next` of the previous page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}
