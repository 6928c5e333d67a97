import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { topicRetention } from '@caravanserai/messaging';
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, referralsTopic, retentionOf } from '../config/aggregator.config';
import { PoolingRelease } from '../infrastructure/pooling-release';
import { RegionalTopics } from '../infrastructure/regional-topics';
import { PG_POOL, TRUSTED_KEYS } from '../infrastructure/tokens';
import { ReferralSummaryController } from './api/referral-summary.controller';
import { QueryReferralSummaryHandler } from './application/query-referral-summary/query-referral-summary.handler';
import { PgReferralSummaryReader } from './infrastructure/pg-referral-summary-reader';
import { ReferralIngest } from './infrastructure/pg-referral-ingest';

/** Referrals: the referrals' topic (its ingest, registered with the ingest wiring at start) and the
 * referral summary computed from its projection (GET /v1/referrals/summary, QueryReferralSummary). */
@Module({
  controllers: [ReferralSummaryController],
  providers: [
    PgReferralSummaryReader,
    QueryReferralSummaryHandler,
    {
      provide: ReferralIngest,
      inject: [PG_POOL, AGGREGATOR_CONFIG, TRUSTED_KEYS, PoolingRelease],
      useFactory: (pool: Pool, c: AggregatorConfig, keys: EnvelopeVerifier, pooling: PoolingRelease) =>
        new ReferralIngest(pool, c.CONSUMER_GROUP, keys, pooling),
    },
  ],
})
export class ReferralsModule implements OnModuleInit {
  constructor(
    private readonly topics: RegionalTopics,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly ingest: ReferralIngest,
  ) {}

  onModuleInit(): void {
    const c = this.config;
    this.topics.register({
      topic: referralsTopic(c),
      numPartitions: c.REFERRALS_PARTITIONS,
      config: topicRetention('referrals', retentionOf(c)),
      ingest: this.ingest,
    });
  }
}
