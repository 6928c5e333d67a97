import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { topicRetention } from '@caravanserai/messaging';
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, movementSchemas, movementsTopic, retentionOf } from '../config/aggregator.config';
import { PoolingRelease } from '../infrastructure/pooling-release';
import { RegionalTopics } from '../infrastructure/regional-topics';
import { PG_POOL, TRUSTED_KEYS } from '../infrastructure/tokens';
import { FlowsController } from './api/flows.controller';
import { QueryFlowsHandler } from './application/query-flows/query-flows.handler';
import { PgFlowReader } from './infrastructure/pg-flow-reader';
import { MovementIngest } from './infrastructure/pg-movement-ingest';

/** Flows: the movements' topic (its ingest, registered with the ingest wiring at start) and the
 * answers computed from its projection (GET /v1/flows, QueryFlows). */
@Module({
  controllers: [FlowsController],
  providers: [
    PgFlowReader,
    QueryFlowsHandler,
    {
      // The movement versions this aggregator reads: AGGREGATOR_MAX_SCHEMA_VERSION (default: all the code knows).
      provide: MovementIngest,
      inject: [PG_POOL, AGGREGATOR_CONFIG, TRUSTED_KEYS, PoolingRelease],
      useFactory: (pool: Pool, c: AggregatorConfig, keys: EnvelopeVerifier, pooling: PoolingRelease) =>
        new MovementIngest(pool, c.CONSUMER_GROUP, keys, pooling, movementSchemas(c)),
    },
  ],
})
export class FlowsModule implements OnModuleInit {
  constructor(
    private readonly topics: RegionalTopics,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly ingest: MovementIngest,
  ) {}

  onModuleInit(): void {
    const c = this.config;
    this.topics.register({
      topic: movementsTopic(c),
      numPartitions: c.MOVEMENTS_PARTITIONS,
      config: topicRetention('movements', retentionOf(c)),
      ingest: this.ingest,
    });
  }
}
