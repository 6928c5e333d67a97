import { OutboxForwarder } from '@caravanserai/event-store';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';
import { PG_POOL } from '../infrastructure/tokens';

@ApiTags('health')
@Controller('v1/health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly forwarder: OutboxForwarder,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and the state of the outbox; 503 when the database is unreachable' })
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
}
