import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import type { Grant, Principal } from '../../disclosure/domain/policy';
import type { Alerts } from '../../kernel/ports/alerts';
import { AlertRecord, StoredAlert, visibleAlert } from '../domain/alert-visibility';
import type { SurgeThresholds } from '../domain/surge-detector';
import { KafkaAlertPublisher } from './kafka-alert-publisher';
import { listAlerts } from './pg-alert-list';
import { runSurgeDetection, SurgeRunResult } from './pg-surge-run';

/** The alerts as the application reads, detects and publishes them, over the aggregator's pool. */
@Injectable()
export class PgAlerts implements Alerts {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** See listAlerts. */
  list(filter: { status: 'active' | 'all'; since?: string }): Promise<StoredAlert[]> {
    return listAlerts(this.pool, filter);
  }

  /** See visibleAlert. */
  visible(stored: StoredAlert, grants: Grant[], principal: Principal, today: string): AlertRecord | null {
    return visibleAlert(stored, grants, principal, today);
  }

  /** One detection run (runSurgeDetection). */
  detectSurges(thresholds: SurgeThresholds): Promise<SurgeRunResult> {
    return runSurgeDetection(this.pool, thresholds);
  }

  /** The publisher of the alert outbox on `topic`. */
  publisher(kafka: Kafka, topic: string): KafkaAlertPublisher {
    return new KafkaAlertPublisher(this.pool, kafka, topic);
  }
}
