import { Module } from '@nestjs/common';
import { ForecastsController } from './api/forecasts.controller';
import { ForecastFeedSource } from './application/forecast-alerts/forecast-feed-source';
import { QueryForecastHandler } from './application/query-forecast/query-forecast.handler';

/** The served forecast (GET /v1/forecasts) and its alert in the feeds (docs/forecast.md). */
@Module({ controllers: [ForecastsController], providers: [QueryForecastHandler, ForecastFeedSource] })
export class ForecastModule {}
