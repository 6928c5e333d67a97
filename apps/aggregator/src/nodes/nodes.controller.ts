import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, movementsTopic, referralsTopic } from '../config/aggregator.config';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: "Each provider's last event, and how far the projections are behind the regional topics (consumer lag per topic and partition)" })
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
    return { providers, lag: await this.lag() };
  }

  /** Messages on the regional topics not yet projected, from the offsets PostgreSQL holds. */
  private async lag() {
    const topics = [movementsTopic(this.config), referralsTopic(this.config)];
    const { rows } = await this.pool.query<{ topic: string; kafka_partition: number; next_offset: string }>(
      'SELECT topic, kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = ANY($2::text[])',
      [this.config.CONSUMER_GROUP, topics],
    );
    const projected = new Map(rows.map((r) => [`${r.topic}:${r.kafka_partition}`, BigInt(r.next_offset)]));
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const partitions = [];
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          const high = BigInt(o.high);
          const next = projected.get(`${topic}:${o.partition}`) ?? BigInt(o.low);
          partitions.push({ topic, partition: o.partition, highWatermark: Number(high), projectedUpTo: Number(next), lag: Number(high > next ? high - next : 0n) });
        }
      }
      return { topics, total: partitions.reduce((s, p) => s + p.lag, 0), partitions, brokerReachable: true };
    } catch (e) {
      return { topics, total: null, partitions: [], brokerReachable: false, error: (e as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
