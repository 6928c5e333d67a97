import { DomainError } from '@caravanserai/contracts';
import { PRINCIPAL_HEADER, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
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
    private readonly principals: PrincipalResolver,
  ) {}

  @Get()
  @ApiHeader({ name: PRINCIPAL_HEADER, required: true, description: 'secretariat (every node) or state:XX (its own)' })
  @ApiOperation({ summary: "Each provider's last event, and how far the projections are behind the regional topics (consumer lag per topic and partition)" })
  async nodes(@Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    // Whether a state has sent anything is itself information: the secretariat sees every node,
    // a state its own, nobody else any.
    const own = principal.id.startsWith('state:') ? principal.id.slice(6) : null;
    if (principal.id !== 'secretariat' && !own) throw new DomainError('NODES.FORBIDDEN', 'node status is for the secretariat and each state (its own)', 'forbidden');
    const { rows } = await this.pool.query(
      `SELECT s.provider, s.events, s.last_event_id, s.last_recorded_at, s.last_received_at, p.pooled_at
         FROM provider_status s JOIN provider_pool p USING (provider)
        WHERE $1::text IS NULL OR s.provider = $1 ORDER BY s.provider`,
      [own],
    );
    const providers = rows.map((r) => ({
      provider: r.provider,
      eventsReceived: Number(r.events),
      // Until its first agreement, a provider's events are held in the log, not projected.
      pooledSince: r.pooled_at,
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
