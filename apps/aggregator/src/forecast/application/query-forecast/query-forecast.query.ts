import { Query } from '@nestjs/cqrs';
import type { ForecastAnswer, ForecastRequest } from '../../domain/served-forecast';

export class QueryForecast extends Query<{ answer: ForecastAnswer; flows: { rows: unknown[] } }> {
  constructor(
    readonly request: ForecastRequest,
    /** `secretariat`, `state:XX` or `org:NAME`: the forecast reads what GET /v1/flows answers it. */
    readonly principal: string,
  ) {
    super();
  }
}
