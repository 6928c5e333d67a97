import { Allow, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { FORECASTS_SCHEMA } from '../../api-schemas';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { QueryForecast } from '../application/query-forecast/query-forecast.query';
import type { ForecastAnswer } from '../domain/served-forecast';
import { ForecastsQueryDto } from './forecasts-query.dto';

@ApiTags('forecasts')
@Allow('reader')
@Controller('v1/forecasts')
export class ForecastsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getForecasts',
    summary: 'The next four weeks per route (or route and category), with 80% and 95% intervals, against the scenarios’ planning figures and capacities',
    description:
      'Built only from the weekly figures GET /v1/flows answers you (the last 104 whole weeks of the latest release, ' +
      '`flowsQuery` is that question): the same agreements and disclosure method apply, and `disclosure` is that answer’s block. ' +
      'A week without a published row counts as 0. `alerts`: where the top of the interval (and whether the point forecast) goes over a route’s planning figure or capacity × 7. docs/forecast.md.',
  })
  @ApiResult(200, 'The forecast', FORECASTS_SCHEMA)
  async forecasts(@Query() dto: ForecastsQueryDto, @Req() request: FastifyRequest): Promise<ForecastAnswer> {
    const principal = this.principals.require(request);
    const query = {
      ...(dto.routes?.length ? { routes: [...new Set(dto.routes)] } : {}),
      ...(dto.categories?.length ? { categories: [...new Set(dto.categories)] } : {}),
      byCategory: dto.byCategory,
      level: Number(dto.level) as 80 | 95,
    };
    const { answer, flows } = await this.queries.execute(new QueryForecast(query, principal.id));
    // Audited as the flows answer it discloses (the forecast is a function of it), before it leaves.
    await this.audit.answered(request, principal.id, answer.flowsQuery, { rows: flows.rows, disclosure: answer.disclosure });
    return answer;
  }
}
