import { Global, Module } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { PG_POOL } from '../infrastructure/tokens';
import { FeedController } from './api/feed.controller';
import { FeedStreams } from './api/feed-streams';
import { FeedWriter } from './application/feed-writer';
import { FeedSources } from '../kernel/ports/feed-sources';
import { FeedTriggers } from './application/feed-triggers';
import { FeedSigner } from '../answers/feed-item';
import { AggregatorSigner } from './infrastructure/aggregator-signer';
import { PgFeedWrites } from './infrastructure/pg-feed-writes';

/** The recipients' feeds (docs/integrators.md): items, the cursor feed, SSE, webhooks, Kafka.
 * Global: the contexts with items of their own register in FeedSources, and the secretariat's log
 * signs with the FeedSigner, without importing this module. */
@Global()
@Module({
  controllers: [FeedController],
  providers: [
    {
      provide: FeedSigner,
      inject: [PG_POOL, AGGREGATOR_CONFIG],
      useFactory: (pool: Pool, c: AggregatorConfig) => AggregatorSigner.open(pool, c.AGGREGATOR_SIGNING_KEY_FILE),
    },
    FeedSources,
    PgFeedWrites,
    FeedWriter,
    FeedTriggers,
    FeedStreams,
  ],
  exports: [FeedSigner, FeedSources],
})
export class FeedsModule {}
