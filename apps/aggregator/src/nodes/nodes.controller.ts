import { Allow, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { PurposeQueryDto } from '../audit/api/purpose-query.dto';
import { AuditTrail } from '../audit/application/audit-trail';
import { AGGREGATOR_CONFIG, AggregatorConfig, regionalTopics } from '../config/aggregator.config';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';
import { quarantineCounts } from '../quarantine/infrastructure/pg-quarantine-list';
import { consumerLag } from './consumer-lag';

@ApiTags('nodes')
@Allow('admin', 'reader:secretariat', 'reader:state')
@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Each provider's last event, and how far the projections are behind the regional topics (consumer lag per topic and partition), and the quarantine size",
    description: 'The secretariat and the admin see every node; a state (reader key) its own; organisations none (403).',
  })
  // The DTO takes only `purpose`: any other parameter is refused rather than ignored.
  async nodes(@Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    // Whether a state has sent anything is itself information: the secretariat and the operator
    // (admin) see every node, a state its own, nobody else any (@Allow refuses organisations).
    const own = principal.id.startsWith('state:') ? principal.id.slice(6) : null;
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
    const [lag, quarantine] = await Promise.all([
      consumerLag(this.pool, this.kafka, this.config.CONSUMER_GROUP, regionalTopics(this.config)),
      quarantineCounts(this.pool),
    ]);
    await this.audit.listed(request, principal.id, {}, providers.length, providers.map((p) => p.provider));
    return { providers, lag, quarantine };
  }
}
