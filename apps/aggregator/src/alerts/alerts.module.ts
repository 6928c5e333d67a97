import { Module } from '@nestjs/common';
import { AlertsController } from './api/alerts.controller';
import { SurgeWatch } from './application/surge-watch';

/** Surge detection, the alert outbox published on alerts.v1, and GET /v1/alerts. */
@Module({ controllers: [AlertsController], providers: [SurgeWatch] })
export class AlertsModule {}
