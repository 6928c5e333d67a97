import { EnvelopeVerifier, TrustedKeyRegistry, TrustedKeysFile } from '@caravanserai/crypto';
import { BrokerProbe, createKafka } from '@caravanserai/messaging';
import { splitList } from '@caravanserai/platform';
import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { openAggregatorDatabase } from './database';
import { PoolingRelease } from './pooling-release';
import { RegionalTopics } from './regional-topics';
import { RequestRoundTrips } from './request-round-trips';
import { CLOCK, KAFKA, PG_POOL, TRUSTED_KEYS } from './tokens';

@Global()
@Module({
  providers: [
    { provide: CLOCK, useValue: () => new Date() },
    // One release for every topic's ingest: the movement and referral ingests register their
    // projections in it, the agreement ingest pools a provider through it.
    { provide: PoolingRelease, useFactory: () => new PoolingRelease() },
    { provide: RegionalTopics, useFactory: () => new RegionalTopics() },
    // The statements the requests share: their API-key look-ups (AuthModule) and audit rows (PgAuditLog).
    RequestRoundTrips,
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
  ],
  exports: [CLOCK, PG_POOL, KAFKA, BrokerProbe, TRUSTED_KEYS, PoolingRelease, RegionalTopics, RequestRoundTrips],
})
/**
 * The aggregator's shared kernel of infrastructure, global to every module: the clock, the
 * database pool, the Kafka client and its probe, the trusted node keys, the pooling release, the
 * registry of regional topics and the statements requests share (RequestRoundTrips). Each context with a topic builds its ingest and registers it
 * there; the ingest wiring that consumes them is the ingest module's (ingest/ingest.module.ts).
 */
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(TRUSTED_KEYS) private readonly trustedKeys: EnvelopeVerifier,
  ) {}

  /** After every module's beforeApplicationShutdown (the consumer stops there): the pool last. */
  async onApplicationShutdown(): Promise<void> {
    if (this.trustedKeys instanceof TrustedKeysFile) this.trustedKeys.close();
    await this.pool.end();
  }
}
