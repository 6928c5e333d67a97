import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { PG_POOL } from '../infrastructure/tokens';
import { FeedSigner } from './domain/feed-item';
import { AggregatorSigner } from './infrastructure/aggregator-signer';

/** The recipients' feeds (docs/integrators.md): items, the cursor feed, SSE, webhooks, Kafka. */
@Module({
  providers: [
    {
      provide: FeedSigner,
      inject: [PG_POOL, AGGREGATOR_CONFIG],
      useFactory: (pool: Pool, c: AggregatorConfig) => AggregatorSigner.open(pool, c.AGGREGATOR_SIGNING_KEY_FILE),
    },
  ],
  exports: [FeedSigner],
})
export class FeedsModule {}
