import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { QueryScenarios } from '../../../kernel/messages/query-scenarios.query';
import { QueryFlows } from '../../../kernel/messages/query-flows.query';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { lastClosedDay, Releases } from '../../../kernel/ports/releases';
import { forecastFlowQuery, forecastFromFlows, ForecastAnswer } from '../../domain/served-forecast';
import { QueryForecast } from './query-forecast.query';

/**
 * The forecast for a caller: the weekly flows question (served-forecast.ts) asked through the
 * QueryBus as that caller — so exactly what GET /v1/flows would answer it, under its agreements
 * and the disclosure method — then the pure forecast of that answer against the scenarios in
 * force. Returns the flows answer too, for the caller's audit record.
 */
@QueryHandler(QueryForecast)
export class QueryForecastHandler implements IQueryHandler<QueryForecast, { answer: ForecastAnswer; flows: { rows: unknown[] } }> {
  constructor(
    private readonly releases: Releases,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request, principal }: QueryForecast) {
    const release = await this.releases.latest();
    const flowsQuery = forecastFlowQuery(release?.dataUntil ?? lastClosedDay(this.clock()), request);
    const [flows, scenarios] = await Promise.all([
      this.queries.execute(new QueryFlows(flowsQuery, principal)),
      this.queries.execute(new QueryScenarios('active')),
    ]);
    const limits = scenarios.map((s) => ({ target: s.target, version: s.version, planningFigure: s.planningFigure, capacityPerDay: s.capacityPerDay }));
    return { answer: forecastFromFlows(flows, limits, request, flowsQuery), flows };
  }
}
