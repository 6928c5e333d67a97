import { AppMetrics } from '@caravanserai/platform';
import { BeforeApplicationShutdown, Inject, Logger, Module, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../config/aggregator.config';
import { KAFKA, PG_POOL } from '../../infrastructure/tokens';
import { FeedSigner } from '../../answers/feed-item';
import { FeedsModule } from '../feeds.module';
import { WebhooksController } from './api/webhooks.controller';
import { registerDeliveryMetrics } from './infrastructure/delivery-metrics';
import { KafkaFeedRelay } from './infrastructure/kafka-feed-relay';
import { WebhookDispatcher } from './infrastructure/webhook-dispatcher';

/**
 * Delivery of the recipients' feeds beyond the cursor feed (docs/integrators.md): signed webhooks
 * and a Kafka topic per recipient. Both read feed_items; either can be switched off per process
 * (WEBHOOK_DELIVERY, FEED_KAFKA_RELAY) and both are safe with several aggregators running them.
 */
@Module({
  imports: [FeedsModule],
  controllers: [WebhooksController],
  providers: [
    {
      provide: WebhookDispatcher,
      inject: [PG_POOL, FeedSigner, AGGREGATOR_CONFIG],
      useFactory: (pool: Pool, signer: FeedSigner, c: AggregatorConfig) =>
        new WebhookDispatcher(pool, signer, {
          timeoutMs: c.WEBHOOK_TIMEOUT_MS,
          maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
          backoffBaseMs: c.WEBHOOK_BACKOFF_BASE_MS,
          backoffMaxMs: c.WEBHOOK_BACKOFF_MAX_MS,
          pollMs: c.WEBHOOK_POLL_MS,
          concurrency: c.WEBHOOK_CONCURRENCY,
        }),
    },
    {
      provide: KafkaFeedRelay,
      inject: [PG_POOL, KAFKA, AGGREGATOR_CONFIG],
      useFactory: (pool: Pool, kafka: Kafka, c: AggregatorConfig) =>
        new KafkaFeedRelay(pool, kafka, {
          topicPrefix: c.TOPIC_PREFIX,
          replicationFactor: c.TOPIC_REPLICATION_FACTOR,
          retentionMs: c.FEED_KAFKA_RETENTION_MS,
          pollMs: c.FEED_KAFKA_POLL_MS,
          batch: c.FEED_KAFKA_BATCH,
          maxMessageBytes: c.FEED_KAFKA_MAX_MESSAGE_BYTES,
          backoffBaseMs: c.WEBHOOK_BACKOFF_BASE_MS,
          backoffMaxMs: c.WEBHOOK_BACKOFF_MAX_MS,
        }),
    },
  ],
  exports: [WebhookDispatcher],
})
export class FeedDeliveryModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FeedDelivery');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly dispatcher: WebhookDispatcher,
    private readonly relay: KafkaFeedRelay,
    @Optional() private readonly metrics?: AppMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { WEBHOOK_DELIVERY: webhooks, FEED_KAFKA_RELAY: kafka } = this.config;
    if (this.metrics) registerDeliveryMetrics(this.metrics, this.pool, webhooks ? this.dispatcher : null, kafka ? this.relay : null);
    if (webhooks) this.dispatcher.start();
    if (kafka) await this.relay.start();
    this.logger.log(`webhook delivery ${webhooks ? 'on' : 'off'}, Kafka feed topics ${kafka ? 'on' : 'off'}`);
  }

  /** Before any module's onApplicationShutdown closes the pool or Kafka: requests in flight are
   * aborted and their transactions rolled back, so nothing is recorded as a failure. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.dispatcher.stop(), this.relay.stop()]);
  }
}
