import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { topicRetention } from '@caravanserai/messaging';
import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, agreementsTopic, retentionOf } from '../config/aggregator.config';
import { PoolingRelease } from '../infrastructure/pooling-release';
import { RegionalTopics } from '../infrastructure/regional-topics';
import { PG_POOL, TRUSTED_KEYS } from '../infrastructure/tokens';
import { AgreementPartiesSource } from '../kernel/ports/agreement-parties';
import { AgreementRegistry } from '../kernel/ports/agreement-registry';
import { AgreementsController } from './api/agreements.controller';
import { AgreementIngest } from './infrastructure/pg-agreement-ingest';
import { PgAgreementRegistry } from './infrastructure/pg-agreement-registry';

/** The agreement registry: every data endpoint cuts its answer to it; the agreements' topic (its
 * ingest, registered with the ingest wiring at start) keeps it. Global, so the contexts that read
 * the registry (the kernel's ports) need not import this module. */
@Global()
@Module({
  controllers: [AgreementsController],
  providers: [
    PgAgreementRegistry,
    // The registry as the other contexts read it, and who is party to each agreement for the audit trail.
    { provide: AgreementRegistry, useExisting: PgAgreementRegistry },
    { provide: AgreementPartiesSource, useExisting: PgAgreementRegistry },
    {
      provide: AgreementIngest,
      inject: [PG_POOL, AGGREGATOR_CONFIG, TRUSTED_KEYS, PoolingRelease],
      useFactory: (pool: Pool, c: AggregatorConfig, keys: EnvelopeVerifier, pooling: PoolingRelease) =>
        new AgreementIngest(pool, c.CONSUMER_GROUP, keys, pooling),
    },
  ],
  exports: [AgreementRegistry, AgreementPartiesSource],
})
export class AgreementsModule implements OnModuleInit {
  constructor(
    private readonly topics: RegionalTopics,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly ingest: AgreementIngest,
  ) {}

  onModuleInit(): void {
    const c = this.config;
    this.topics.register({
      topic: agreementsTopic(c),
      numPartitions: c.AGREEMENTS_PARTITIONS,
      config: topicRetention('agreements', retentionOf(c)),
      ingest: this.ingest,
    });
  }
}
