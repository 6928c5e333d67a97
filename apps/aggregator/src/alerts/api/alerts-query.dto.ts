import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';

export class AlertsQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active', description: 'active alerts only, or also those that subsided' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status?: 'active' | 'all';

  @ApiPropertyOptional({ description: 'with status=all: only alerts changed on or after this day (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'since must be a date YYYY-MM-DD' })
  since?: string;
}
