import { Global, Module } from '@nestjs/common';
import { Alerts } from '../kernel/ports/alerts';
import { AlertsController } from './api/alerts.controller';
import { SurgeWatch } from './application/surge-watch';
import { PgAlerts } from './infrastructure/pg-alerts';

/** Surge detection, the alert outbox published on alerts.v1, and GET /v1/alerts. */
@Global()
@Module({ controllers: [AlertsController], providers: [SurgeWatch, PgAlerts, { provide: Alerts, useExisting: PgAlerts }], exports: [Alerts] })
export class AlertsModule {}
