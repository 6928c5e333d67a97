import { Allow, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { PG_POOL } from '../../infrastructure/tokens';
import { listQuarantine } from '../infrastructure/pg-quarantine-list';
import { QuarantineQueryDto } from './quarantine-query.dto';
import { QUARANTINE_SCHEMA } from '../../api-schemas';

@ApiTags('quarantine')
// Payloads are whole records of any state, outside every agreement: only the aggregator's operator
// (admin key) reads them, to fix and replay. The secretariat is a recipient like any other (issue 13).
@Allow('admin')
@Controller('v1/quarantine')
export class QuarantineController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listQuarantine',
    summary: 'Messages that could not be taken in, with the reason; paged by id. Replay one with `npm run quarantine:replay -- --id N`',
    description:
      "For the aggregator's operator (admin key) only: quarantined payloads are record-level events of any state, outside every agreement. Every reader key, the secretariat's included, gets 403. The open and replayed counts (no payloads) are in GET /v1/nodes for the admin and in /metrics.",
  })
  @ApiResult(200, 'A page of quarantined messages and the counts', QUARANTINE_SCHEMA)
  async list(@Query() dto: QuarantineQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const { purpose: _purpose, ...query } = dto;
    const page = await listQuarantine(this.pool, query);
    await this.audit.listed(request, principal.id, query, page.items.length);
    return page;
  }
}
