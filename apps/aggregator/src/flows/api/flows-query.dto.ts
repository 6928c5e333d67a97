import { CATEGORIES, DIRECTIONS, PROVIDER_STATES } from '@caravanserai/contracts';
import { PureQuery } from '@caravanserai/platform';
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { RepresentationQueryDto } from '../../answers/formats/api/representation-query.dto';
import { CommaList, IsDay } from '../../infrastructure/query-params';
import { FLOW_DIMENSIONS, FlowDimension, FlowQuery, GRANULARITIES, Granularity } from '../../answers/flow-answer';

/** Its checks depend on the parameters alone: each distinct question is validated once (PureQuery). */
@PureQuery()
export class FlowsQueryDto extends RepresentationQueryDto {
  @ApiProperty({ example: '2026-01-01', description: 'First day, inclusive' })
  @IsDay('from')
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'Last day, inclusive' })
  @IsDay('to')
  to: string;

  @ApiPropertyOptional({ enum: GRANULARITIES, default: 'month' })
  @IsOptional()
  @IsIn(GRANULARITIES)
  granularity: Granularity = 'month';

  @ApiPropertyOptional({ description: `Comma-separated, any of: ${FLOW_DIMENSIONS.join(', ')}`, example: 'route,category' })
  @IsOptional()
  @CommaList()
  @ArrayMaxSize(FLOW_DIMENSIONS.length)
  @IsIn(FLOW_DIMENSIONS, { each: true, message: `groupBy accepts only: ${FLOW_DIMENSIONS.join(', ')}` })
  groupBy: FlowDimension[] = [];

  @ApiPropertyOptional({ description: 'Comma-separated provider states', example: 'IR,PK' })
  @IsOptional()
  @CommaList()
  @IsIn(PROVIDER_STATES, { each: true, message: `providers accepts only: ${PROVIDER_STATES.join(', ')}` })
  providers?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated routes departedFrom>provider>intendedDestination', example: 'AF>IR>TR' })
  @IsOptional()
  @CommaList()
  @Matches(/^[A-Z]{2}>[A-Z]{2}>[A-Z]{2}$/, { each: true, message: 'routes must look like AF>IR>TR' })
  routes?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated categories' })
  @IsOptional()
  @CommaList()
  @IsIn(CATEGORIES, { each: true, message: `categories accepts only: ${CATEGORIES.join(', ')}` })
  categories?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated citizenship codes' })
  @IsOptional()
  @CommaList()
  @Matches(/^[A-Z]{2}$/, { each: true, message: 'citizenship takes ISO 3166-1 alpha-2 codes' })
  citizenship?: string[];

  @ApiPropertyOptional({ description: 'entry, exit or both', example: 'entry' })
  @IsOptional()
  @CommaList()
  @IsIn(DIRECTIONS, { each: true, message: `direction accepts only: ${DIRECTIONS.join(', ')}` })
  direction?: string[];

  @ApiPropertyOptional({ description: 'Comma-separated border crossing point codes' })
  @IsOptional()
  @CommaList()
  @Matches(/^[A-Z]{2}-[A-Z0-9]+$/, { each: true, message: 'borderCrossingPoints takes codes such as IR-DOGHAROUN' })
  borderCrossingPoints?: string[];

  @ApiPropertyOptional({
    enum: ['include', 'exclude'],
    default: 'include',
    description:
      "States whose agreement is coarser than `granularity`: `include` raises the whole answer's granularity to theirs; " +
      '`exclude` keeps the granularity asked and leaves them out, named in `disclosure.leftOut`.',
  })
  @IsOptional()
  @IsIn(['include', 'exclude'])
  coarser?: 'include' | 'exclude';

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Ask under a declared emergency (GET /v1/emergencies): the answer is limited to its routes and crossing points (a filter outside them: 400 EMERGENCY.OUT_OF_SCOPE), ' +
      'and each state whose emergency terms are in effect for the caller is cut to them (same k; finer time or place, shorter embargo, more dimensions). ' +
      'After the emergency ends, the same question gets the ordinary answer, limited to the scope; `disclosure.emergency` says which.',
  })
  @IsOptional()
  @IsUUID(undefined, { message: 'emergency must be the id of a declared emergency (a UUID)' })
  emergency?: string;

  toQuery(): FlowQuery {
    const { from, to, granularity, groupBy, providers, routes, categories, citizenship, direction, borderCrossingPoints, coarser, emergency } = this;
    return {
      from,
      to,
      granularity,
      groupBy: [...new Set(groupBy)],
      providers,
      routes,
      categories,
      citizenship,
      direction,
      borderCrossingPoints,
      ...(coarser === 'exclude' ? { coarser } : {}),
      ...(emergency ? { emergency } : {}),
    };
  }
}
