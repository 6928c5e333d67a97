import { ApiResult, Public } from '@caravanserai/platform';
import { BrokerProbe } from '@caravanserai/messaging';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { ConsumerStatus } from '../kernel/ports/consumer-status';
import { PG_POOL } from '../infrastructure/tokens';
import { HEALTH_SCHEMA, READY_SCHEMA } from '../api-schemas';

@ApiTags('health')
@Public()
@Controller('v1/health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly consumer: ConsumerStatus,
    private readonly broker: BrokerProbe,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness and consumer progress; 503 when the database is unreachable' })
  @ApiResult(200, 'The service and its database are up', HEALTH_SCHEMA)
  @ApiResult(503, 'The database is unreachable (the same body, status degraded)', HEALTH_SCHEMA)
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const database = await this.database();
    if (database === 'down') reply.status(503);
    return { status: database === 'up' ? 'ok' : 'degraded', service: 'aggregator', database, consumer: this.consumer.stats };
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: 200 only when the database and the Kafka cluster both answer and the consumer is running; 503 otherwise, saying which is down',
  })
  @ApiResult(200, 'Ready', READY_SCHEMA)
  @ApiResult(503, 'Not ready: says which dependency is down', READY_SCHEMA)
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, broker] = await Promise.all([this.database(), this.broker.check()]);
    const consumer = this.consumer.state;
    const ready = database === 'up' && broker.reachable && consumer !== 'crashed';
    if (!ready) reply.status(503);
    return {
      ready,
      database,
      broker: broker.reachable ? 'up' : 'down',
      ...(broker.error ? { brokerError: broker.error } : {}),
      consumer,
    };
  }

  private async database(): Promise<'up' | 'down'> {
    try {
      await this.pool.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    }
  }
}
