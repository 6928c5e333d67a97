import { ensureTopics, topicRetention } from '@caravanserai/messaging';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Kafka } from 'kafkajs';
import { AGGREGATOR_CONFIG, AggregatorConfig, alertsTopic, movementsTopic, retentionOf } from '../../config/aggregator.config';
import { ConsumerStatus } from '../../kernel/ports/consumer-status';
import { KAFKA } from '../../infrastructure/tokens';
import { DEFAULT_THRESHOLDS, SurgeThresholds } from '../domain/surge-detector';
import { KafkaAlertPublisher } from '../infrastructure/kafka-alert-publisher';
import { PgAlerts } from '../infrastructure/pg-alerts';
import { AlertsChanged } from '../../kernel/messages/alerts-changed.event';

/**
 * Runs surge detection every ALERTS_INTERVAL_MS, and sooner when the consumer has applied new
 * movements (at most every ALERTS_PROGRESS_GAP_MS), then publishes the alert outbox. One run at a
 * time in this process; across instances, a PostgreSQL advisory lock. A failed run or publish is
 * logged and retried at the next tick: the outbox keeps what was not sent.
 */
@Injectable()
export class SurgeWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SurgeWatch');
  private readonly publisher: KafkaAlertPublisher;
  private readonly thresholds: SurgeThresholds;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastRunAt = 0;
  private lastApplied = -1;

  constructor(
    private readonly alerts: PgAlerts,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly consumer: ConsumerStatus,
    private readonly events: EventBus,
  ) {
    this.publisher = alerts.publisher(kafka, alertsTopic(config));
    this.thresholds = { ...DEFAULT_THRESHOLDS, minVolume: config.ALERTS_MIN_VOLUME };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.CONSUME) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(
        admin,
        [{ topic: alertsTopic(this.config), numPartitions: this.config.ALERTS_PARTITIONS, config: topicRetention('alerts', retentionOf(this.config)) }],
        this.config.TOPIC_REPLICATION_FACTOR,
      );
    } finally {
      await admin.disconnect();
    }
    this.timer = setInterval(() => this.tick(), Math.min(1000, this.config.ALERTS_INTERVAL_MS));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.publisher.stop();
  }

  private tick(): void {
    if (this.running) return;
    const applied = this.consumer.stats[movementsTopic(this.config)]?.applied ?? 0;
    const since = Date.now() - this.lastRunAt;
    const progressed = applied !== this.lastApplied && since >= this.config.ALERTS_PROGRESS_GAP_MS;
    if (!progressed && since < this.config.ALERTS_INTERVAL_MS) return;
    this.lastApplied = applied;
    this.lastRunAt = Date.now();
    this.running = this.runOnce().finally(() => (this.running = null));
  }

  private async runOnce(): Promise<void> {
    try {
      const result = await this.alerts.detectSurges(this.thresholds);
      if (result.detected || result.subsided) {
        this.logger.log(`as of ${result.asOf}: ${result.series} series, ${result.detected} surges detected or changed, ${result.subsided} subsided`);
        this.events.publish(new AlertsChanged());
      }
      await this.publisher.drain();
    } catch (e) {
      this.logger.warn(`surge detection or alert publishing failed, will retry: ${(e as Error).message}`);
    }
  }
}
