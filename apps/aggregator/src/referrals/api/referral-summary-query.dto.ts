import { CATEGORIES, PROVIDER_STATES, REFERRAL_PATHWAYS } from '@caravanserai/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { RepresentationQueryDto } from '../../answers/formats/api/representation-query.dto';
import { CommaList, IsDay } from '../../infrastructure/query-params';
import { GRANULARITIES, Granularity } from '../../answers/flow-answer';
import { REFERRAL_DIMENSIONS, ReferralDimension, ReferralSummaryQuery } from '../../answers/referral-summary';

export class ReferralSummaryQueryDto extends RepresentationQueryDto {
  @ApiProperty({ example: '2026-01-01', description: 'First day a referral was made on, inclusive' })
  @IsDay('from')
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'Last day, inclusive' })
  @IsDay('to')
  to: string;

  @ApiPropertyOptional({ enum: GRANULARITIES, default: 'month' })
  @IsOptional()
  @IsIn(GRANULARITIES)
  granularity: Granularity = 'month';

  @ApiPropertyOptional({ description: `Comma-separated, any of: ${REFERRAL_DIMENSIONS.join(', ')}`, example: 'referredTo,status' })
  @IsOptional()
  @CommaList()
  @ArrayMaxSize(REFERRAL_DIMENSIONS.length)
  @IsIn(REFERRAL_DIMENSIONS, { each: true, message: `groupBy accepts only: ${REFERRAL_DIMENSIONS.join(', ')}` })
  groupBy: ReferralDimension[] = [];

  @ApiPropertyOptional({ description: 'Comma-separated provider states', example: 'IR,PK' })
  @IsOptional()
  @CommaList()
  @IsIn(PROVIDER_STATES, { each: true, message: `providers accepts only: ${PROVIDER_STATES.join(', ')}` })
  providers?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated categories' })
  @IsOptional()
  @CommaList()
  @IsIn(CATEGORIES, { each: true, message: `categories accepts only: ${CATEGORIES.join(', ')}` })
  categories?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated pathways' })
  @IsOptional()
  @CommaList()
  @IsIn(REFERRAL_PATHWAYS, { each: true, message: `referredTo accepts only: ${REFERRAL_PATHWAYS.join(', ')}` })
  referredTo?: string[];

  @ApiPropertyOptional({
    default: 72,
    description: "A referral still unanswered (made or acknowledged) this many hours after it was made is stalled, counted as of the release's cut",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'stalledAfterHours must be a whole number of hours' })
  @Min(1)
  @Max(24 * 365)
  stalledAfterHours: number = 72;

  // No `asOf`: stalled referrals are counted as of the release's cut, the only moment an answer
  // shows (a moving asOf would tell when each open referral was made). Unknown parameters are
  // refused, so a caller who still sends asOf gets 400 naming it.

  toQuery(): ReferralSummaryQuery {
    const { from, to, granularity, groupBy, providers, categories, referredTo, stalledAfterHours } = this;
    return {
      from,
      to,
      granularity,
      groupBy: [...new Set(groupBy)],
      providers,
      categories,
      referredTo,
      stalledAfterHours,
    };
  }
}
