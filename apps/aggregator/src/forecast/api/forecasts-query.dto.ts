import { CATEGORIES } from '@caravanserai/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import { CommaList } from '../../infrastructure/query-params';

export class ForecastsQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated routes departedFrom>provider>intendedDestination (default: every route you may see weekly)',
    example: 'AF>IR>TR',
  })
  @IsOptional()
  @CommaList()
  @ArrayMaxSize(50)
  @Matches(/^[A-Z]{2}>[A-Z]{2}>[A-Z]{2}$/, { each: true, message: 'routes must look like AF>IR>TR' })
  routes?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated categories: the series count only these (no scenario is compared with them)' })
  @IsOptional()
  @CommaList()
  @IsIn(CATEGORIES, { each: true, message: `categories accepts only: ${CATEGORIES.join(', ')}` })
  categories?: string[];

  @ApiPropertyOptional({ description: 'One series per route and category (where your agreements allow the category)', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  byCategory: boolean = false;

  @ApiPropertyOptional({ enum: ['80', '95'], default: '80', description: 'The interval whose top the alert compares with the figures' })
  @IsOptional()
  @IsIn(['80', '95'])
  level: '80' | '95' = '80';
}
