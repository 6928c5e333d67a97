import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import type { QuarantineStatus } from '../infrastructure/pg-quarantine-list';

export class QuarantineQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'replayed', 'all'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'replayed', 'all'])
  status: QuarantineStatus = 'open';

  @ApiPropertyOptional({ description: 'Page after this id (the `next` of the previous page)', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after: number = 0;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}
