import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, movementsTopic } from '../config/aggregator.config';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';
import { quarantineCounts } from '../quarantine/infrastructure/pg-quarantine-list';
import { consumerLag } from './consumer-lag';

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: "Each provider's last event, how far the projections are behind the topic (consumer lag), and the quarantine size" })
  async nodes() {
    const { rows } = await this.pool.query(
      `SELECT provider, events, last_event_id, last_recorded_at, last_received_at FROM provider_status ORDER BY provider`,
    );
    const providers = rows.map((r) => ({
      provider: r.provider,
      eventsProjected: Number(r.events),
      lastEventId: r.last_event_id,
      lastEventRecordedAt: r.last_recorded_at,
      lastEventReceivedAt: r.last_received_at,
      // Time from the node recording its latest event to the aggregator projecting it.
      lastEventDelayMs: new Date(r.last_received_at).getTime() - new Date(r.last_recorded_at).getTime(),
    }));
    const [lag, quarantine] = await Promise.all([
      consumerLag(this.pool, this.kafka, this.config.CONSUMER_GROUP, movementsTopic(this.config)),
      quarantineCounts(this.pool),
    ]);
    return { providers, lag, quarantine };
  }
}
