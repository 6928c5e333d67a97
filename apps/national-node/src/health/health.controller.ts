import { ApiResult, Public } from '@caravanserai/platform';
import { OutboxForwarder } from '@caravanserai/event-store';
import { BrokerProbe } from '@caravanserai/messaging';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';
import { HEALTH, READY } from '../api-schemas';

@ApiTags('health')
@Public()
@Controller('v1/health')
export class HealthController {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly forwarder: OutboxForwarder,
    private readonly broker: BrokerProbe,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness and the state of the outbox; 503 when the database is unreachable' })
  @ApiResult(200, 'The node and its database are up', HEALTH)
  @ApiResult(503, 'The database is unreachable (the same body, status degraded)', HEALTH)
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    let database: 'up' | 'down' = 'up';
    let outboxBacklog: number | null = null;
    try {
      outboxBacklog = await this.forwarder.backlog();
    } catch {
      database = 'down';
    }
    if (database === 'down') reply.status(503);
    const { published, lastPublishedAt, lastError } = this.forwarder.stats;
    return {
      status: database === 'up' ? 'ok' : 'degraded',
      service: 'national-node',
      state: this.config.NODE_STATE,
      database,
      outbox: { backlog: outboxBacklog, published, lastPublishedAt, lastError },
    };
  }

  /**
   * Readiness tells the truth: 503 when the database or the Kafka cluster does not answer. With
   * the brokers away the node still *accepts* records (they wait in the outbox and leave when
   * Kafka is back): `accepting` says so, and a load balancer in front of a node should route on
   * liveness (`GET /v1/health`), not readiness, so that the outbox can do its job.
   */
  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: 503 when the database or the Kafka cluster is unreachable; says whether records are still accepted (into the outbox)',
  })
  @ApiResult(200, 'Ready', READY)
  @ApiResult(503, 'Not ready: says which dependency is down', READY)
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [backlog, broker] = await Promise.all([this.forwarder.backlog().catch(() => null), this.broker.check()]);
    const database = backlog === null ? 'down' : 'up';
    const ready = database === 'up' && broker.reachable;
    if (!ready) reply.status(503);
    return {
      ready,
      accepting: database === 'up',
      database,
      broker: broker.reachable ? 'up' : 'down',
      ...(broker.error ? { brokerError: broker.error } : {}),
      outboxBacklog: backlog,
      publishing: this.forwarder.stats.lastError === null ? 'ok' : 'retrying',
    };
  }
}
