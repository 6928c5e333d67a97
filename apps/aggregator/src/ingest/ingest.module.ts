import { ensureTopics } from '@caravanserai/messaging';
import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import type { ReplayableIngest } from '../infrastructure/batch-ingest.port';
import { replayAwaiting } from '../infrastructure/pg-awaiting-upgrade';
import { RegionalTopics } from '../infrastructure/regional-topics';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';
import { ConsumerStatus } from '../kernel/ports/consumer-status';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';

/**
 * The ingest wiring (docs/architecture.md, "Data flow"): the regional topics the contexts
 * registered (RegionalTopics: each with its ingest, the one pipeline with the topic's own part) on
 * one consumer group; at start, the topics made and what waited for an upgrade taken in, then the
 * consumer; at shutdown, the consumer stopped before the pool ends. It knows no context by name;
 * the consumer's state is read by the others through the kernel's ConsumerStatus.
 */
@Global()
@Module({
  providers: [
    {
      // One consumer group for every regional topic; each topic has its own ingest, registered
      // by its context before the consumer starts (onModuleInit comes before onApplicationBootstrap).
      provide: KafkaRegionalConsumer,
      inject: [KAFKA, RegionalTopics, AGGREGATOR_CONFIG],
      useFactory: (kafka: Kafka, topics: RegionalTopics, c: AggregatorConfig) =>
        new KafkaRegionalConsumer(kafka, topics.ingests, {
          groupId: c.CONSUMER_GROUP,
          fromBeginning: true,
          sessionTimeout: c.CONSUMER_SESSION_TIMEOUT_MS,
          partitionsConcurrently: c.CONSUMER_PARTITIONS_CONCURRENTLY,
        }),
    },
    { provide: ConsumerStatus, useExisting: KafkaRegionalConsumer },
  ],
  exports: [ConsumerStatus],
})
export class IngestModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Aggregator');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly topics: RegionalTopics,
    private readonly consumer: KafkaRegionalConsumer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.CONSUME) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [...this.topics.topics()], this.config.TOPIC_REPLICATION_FACTOR);
    } finally {
      await admin.disconnect();
    }
    // What waited for an upgrade came before anything the consumer reads next: taken in first,
    // through the same ingest; what this aggregator still cannot read waits on.
    for (const [topic, ingest] of this.consumer.handlers) {
      if (!('ingestWithin' in ingest)) continue;
      const { replayed, stillWaiting } = await replayAwaiting(this.pool, topic, ingest as ReplayableIngest);
      if (replayed + stillWaiting > 0) this.logger.log(`${topic}: ${replayed} events that waited for an upgrade taken in, ${stillWaiting} still waiting`);
    }
    await this.consumer.start();
    this.logger.log(`consuming ${this.consumer.topics.join(', ')} as group ${this.config.CONSUMER_GROUP}`);
  }

  /** Before every module's onApplicationShutdown, so the pool is still there for a batch in flight. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
