import { ensureTopics, topicRetention } from '@caravanserai/messaging';
import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import {
  AGGREGATOR_CONFIG,
  AggregatorConfig,
  agreementsTopic,
  movementSchemas,
  movementsTopic,
  referralsTopic,
  retentionOf,
} from '../config/aggregator.config';
import type { BatchIngest, ReplayableIngest } from '../infrastructure/batch-ingest.port';
import { replayAwaiting } from '../infrastructure/pg-awaiting-upgrade';
import { KAFKA, PG_POOL, TRUSTED_KEYS } from '../infrastructure/tokens';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';
import { regionalIngests, RegionalIngests } from './regional-ingests';

/** The three topics' ingests, built together (they share the pooling release). */
const REGIONAL_INGESTS = Symbol('REGIONAL_INGESTS');

/**
 * The ingest wiring (docs/architecture.md, "Data flow"): each topic's ingest (the one pipeline with
 * the topic's own part, from its context) on one consumer group; at start, the topics made and what
 * waited for an upgrade taken in, then the consumer; at shutdown, the consumer stopped before the
 * pool ends. It imports the contexts' ingest parts; no context imports it.
 */
@Global()
@Module({
  providers: [
    {
      provide: REGIONAL_INGESTS,
      inject: [PG_POOL, AGGREGATOR_CONFIG, TRUSTED_KEYS],
      useFactory: (pool: Pool, c: AggregatorConfig, keys: EnvelopeVerifier): RegionalIngests =>
        regionalIngests(pool, c.CONSUMER_GROUP, keys, { movementSchemas: movementSchemas(c) }),
    },
    {
      // One consumer group for every regional topic; each topic has its own ingest.
      provide: KafkaRegionalConsumer,
      inject: [KAFKA, REGIONAL_INGESTS, AGGREGATOR_CONFIG],
      useFactory: (kafka: Kafka, ingests: RegionalIngests, c: AggregatorConfig) =>
        new KafkaRegionalConsumer(
          kafka,
          new Map<string, BatchIngest>([
            [movementsTopic(c), ingests.movements],
            [agreementsTopic(c), ingests.agreements],
            [referralsTopic(c), ingests.referrals],
          ]),
          {
            groupId: c.CONSUMER_GROUP,
            fromBeginning: true,
            sessionTimeout: c.CONSUMER_SESSION_TIMEOUT_MS,
            partitionsConcurrently: c.CONSUMER_PARTITIONS_CONCURRENTLY,
          },
        ),
    },
  ],
  exports: [KafkaRegionalConsumer],
})
export class IngestModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Aggregator');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly consumer: KafkaRegionalConsumer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.CONSUME) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(
        admin,
        [
          {
            topic: movementsTopic(this.config),
            numPartitions: this.config.MOVEMENTS_PARTITIONS,
            config: topicRetention('movements', retentionOf(this.config)),
          },
          {
            topic: agreementsTopic(this.config),
            numPartitions: this.config.AGREEMENTS_PARTITIONS,
            config: topicRetention('agreements', retentionOf(this.config)),
          },
          {
            topic: referralsTopic(this.config),
            numPartitions: this.config.REFERRALS_PARTITIONS,
            config: topicRetention('referrals', retentionOf(this.config)),
          },
        ],
        this.config.TOPIC_REPLICATION_FACTOR,
      );
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
