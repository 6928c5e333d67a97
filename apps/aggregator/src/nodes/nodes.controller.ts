import { principalKind } from '@caravanserai/credentials';
import { Allow, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AgreementRegistry } from '../kernel/ports/agreement-registry';
import { PurposeQueryDto } from '../answers/purpose-query.dto';
import { AuditTrail } from '../kernel/ports/audit-trail';
import { AGGREGATOR_CONFIG, AggregatorConfig, regionalTopics } from '../config/aggregator.config';
import { awaitingCounts } from '../infrastructure/pg-awaiting-upgrade';
import { Clock, CLOCK, KAFKA, PG_POOL } from '../infrastructure/tokens';
import { QuarantineList } from '../kernel/ports/quarantine-list';
import { consumerLag } from './consumer-lag';
import { coarseStatus, fullStatus, lagPerTopic, ProviderStatus, providersGranting } from './node-health';
import { NODES_SCHEMA } from '../api-schemas';

@ApiTags('nodes')
@Allow('admin', 'reader:secretariat', 'reader:state')
@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly quarantine: QuarantineList,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
    private readonly registry: AgreementRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getNodes',
    summary:
      "Node health: each provider's last event, how far the projections are behind the regional topics (consumer lag), and, for the admin, the quarantine size",
    description:
      'What each caller sees follows the agreements, since whether and how much a state sends is itself information about its data. ' +
      "The admin (the aggregator's operator) sees every provider in full (events received, last event id, exact times, delay), the consumer lag per topic and partition, and the quarantine counts. " +
      'A state (reader key) sees its own provider in full and the lag summed per topic. ' +
      'The secretariat sees, of each provider with an agreement in force today naming it (or anyone), only coarse health that carries no volume: `provider`, `pooled`, `lastEventReceivedAt` (truncated to the hour) and `healthy` (that hour within the last 24); providers that granted it nothing are not listed; the lag summed per topic. ' +
      'The admin and a state (for its own provider) also see `awaitingUpgrade`: the events of a version newer than this aggregator reads, held until it is upgraded, counted per provider, type and schemaVersion; the secretariat does not (it is volume). ' +
      'Organisations: 403.',
  })
  // The DTO takes only `purpose`: any other parameter is refused rather than ignored.
  @ApiResult(200, 'Provider health as the caller may see it', NODES_SCHEMA)
  async nodes(@Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const kind = principal.role === 'admin' ? 'admin' : principalKind(principal.id);
    const own = kind === 'state' ? principal.id.slice(6) : null;
    const granting =
      kind === 'secretariat' ? [...providersGranting(await this.registry.grants(), principal.id, this.clock().toISOString().slice(0, 10))] : null;
    const { rows } = await this.pool.query(
      `SELECT s.provider, s.events, s.last_event_id, s.last_recorded_at, s.last_received_at, p.pooled_at
         FROM provider_status s JOIN provider_pool p USING (provider)
        WHERE ($1::text IS NULL OR s.provider = $1) AND ($2::text[] IS NULL OR s.provider = ANY($2::text[])) ORDER BY s.provider`,
      [own, granting],
    );
    const statuses: ProviderStatus[] = rows.map((r) => ({
      provider: r.provider,
      events: Number(r.events),
      lastEventId: r.last_event_id,
      lastRecordedAt: new Date(r.last_recorded_at),
      lastReceivedAt: new Date(r.last_received_at),
      pooledAt: r.pooled_at,
    }));
    const now = this.clock();
    const providers = kind === 'secretariat' ? statuses.map((s) => coarseStatus(s, now)) : statuses.map(fullStatus);
    const lag = await consumerLag(this.pool, this.kafka, this.config.CONSUMER_GROUP, regionalTopics(this.config));
    await this.audit.listed(
      request,
      principal.id,
      {},
      providers.length,
      providers.map((p) => p.provider),
    );
    if (kind === 'admin') return { providers, lag, quarantine: await this.quarantine.counts(), awaitingUpgrade: await awaitingCounts(this.pool, null) };
    if (kind === 'state') return { providers, lag: lagPerTopic(lag), awaitingUpgrade: await awaitingCounts(this.pool, own) };
    return { providers, lag: lagPerTopic(lag) };
  }
}
