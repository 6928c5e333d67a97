import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { KafkaRegionalConsumer } from '../infrastructure/kafka-regional.consumer';
import { PG_POOL } from '../infrastructure/tokens';

@ApiTags('health')
@Controller('v1/health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly consumer: KafkaRegionalConsumer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and consumer progress; 503 when the database is unreachable' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    let database: 'up' | 'down' = 'up';
    try {
      await this.pool.query('SELECT 1');
    } catch {
      database = 'down';
      reply.status(503);
    }
    return { status: database === 'up' ? 'ok' : 'degraded', service: 'aggregator', database, consumer: this.consumer.stats };
  }
}
