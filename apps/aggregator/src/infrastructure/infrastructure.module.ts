import { EnvelopeVerifier, TrustedKeyRegistry, TrustedKeysFile } from '@caravanserai/crypto';
import { BrokerProbe, createKafka, ensureTopics, topicRetention } from '@caravanserai/messaging';
import { splitList } from '@caravanserai/platform';
import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, agreementsTopic, movementSchemas, movementsTopic, referralsTopic, retentionOf } from '../config/aggregator.config';
import { replayAwaiting } from './pg-awaiting-upgrade';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';
import { MovementIngest } from '../flows/infrastructure/pg-movement-ingest';
import { ReferralIngest } from '../referrals/infrastructure/pg-referral-ingest';
import { regionalIngests, RegionalIngests } from './regional-ingests';
import { openAggregatorDatabase } from './database';
import type { BatchIngest, ReplayableIngest } from './batch-ingest.port';
import { CLOCK, KAFKA, PG_POOL, TRUSTED_KEYS } from './tokens';

/** The three topics' ingests, built together (they share the pooling release). */
const REGIONAL_INGESTS = Symbol('REGIONAL_INGESTS');

@Global()
@Module({
  providers: [
    { provide: CLOCK, useValue: () => new Date() },
    {
      provide: PG_POOL,
      inject: [AGGREGATOR_CONFIG],
      useFactory: (c: AggregatorConfig) => openAggregatorDatabase(c.DATABASE_URL, c.PG_POOL_SIZE, c.CELL_KEY_SECRET_FILE, c.DATABASE_AUTO_MIGRATE),
    },
    {
      provide: KAFKA,
      inject: [AGGREGATOR_CONFIG],
      useFactory: (c: AggregatorConfig) => createKafka('caravanserai-aggregator', splitList(c.KAFKA_BROKERS)),
    },
    {
      provide: BrokerProbe,
      inject: [AGGREGATOR_CONFIG],
      useFactory: (c: AggregatorConfig) => new BrokerProbe(splitList(c.KAFKA_BROKERS)),
    },
    {
      // The trust file, followed as the operator edits it. An API-only instance (CONSUME=false)
      // without one trusts no key: it takes nothing in anyway.
      provide: TRUSTED_KEYS,
      inject: [AGGREGATOR_CONFIG],
      useFactory: (c: AggregatorConfig): EnvelopeVerifier => {
        if (!c.TRUSTED_NODE_KEYS_FILE) return new TrustedKeyRegistry([]);
        const file = new TrustedKeysFile(c.TRUSTED_NODE_KEYS_FILE, new Logger('TrustedNodeKeys'));
        file.watch(c.TRUSTED_NODE_KEYS_POLL_MS);
        return file;
      },
    },
    {
      provide: REGIONAL_INGESTS,
      inject: [PG_POOL, AGGREGATOR_CONFIG, TRUSTED_KEYS],
      useFactory: (pool: Pool, c: AggregatorConfig, keys: EnvelopeVerifier): RegionalIngests =>
        regionalIngests(pool, c.CONSUMER_GROUP, keys, { movementSchemas: movementSchemas(c) }),
    },
    { provide: MovementIngest, inject: [REGIONAL_INGESTS], useFactory: (i: RegionalIngests) => i.movements },
    { provide: ReferralIngest, inject: [REGIONAL_INGESTS], useFactory: (i: RegionalIngests) => i.referrals },
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
          { groupId: c.CONSUMER_GROUP, fromBeginning: true, sessionTimeout: c.CONSUMER_SESSION_TIMEOUT_MS, partitionsConcurrently: c.CONSUMER_PARTITIONS_CONCURRENTLY },
        ),
    },
  ],
  exports: [CLOCK, PG_POOL, KAFKA, BrokerProbe, TRUSTED_KEYS, MovementIngest, ReferralIngest, KafkaRegionalConsumer],
})
export class InfrastructureModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Aggregator');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly consumer: KafkaRegionalConsumer,
    @Inject(TRUSTED_KEYS) private readonly trustedKeys: EnvelopeVerifier,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.CONSUME) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: movementsTopic(this.config), numPartitions: this.config.MOVEMENTS_PARTITIONS, config: topicRetention('movements', retentionOf(this.config)) },
        { topic: agreementsTopic(this.config), numPartitions: this.config.AGREEMENTS_PARTITIONS, config: topicRetention('agreements', retentionOf(this.config)) },
        { topic: referralsTopic(this.config), numPartitions: this.config.REFERRALS_PARTITIONS, config: topicRetention('referrals', retentionOf(this.config)) },
      ], this.config.TOPIC_REPLICATION_FACTOR);
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

  async onApplicationShutdown(): Promise<void> {
    if (this.trustedKeys instanceof TrustedKeysFile) this.trustedKeys.close();
    await this.consumer.stop();
    await this.pool.end();
  }
}
