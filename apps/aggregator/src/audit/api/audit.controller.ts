import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { Allow, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditLog, AuditScope } from '../application/audit-log.port';
import { AuditTrail } from '../application/audit-trail';
import { AuditQueryDto } from './audit-query.dto';

@ApiTags('audit')
@Allow('reader')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly log: AuditLog,
    private readonly trail: AuditTrail,
    private readonly principals: PrincipalResolver,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail: every query answered, newest first, with who asked, why, the agreements applied and the cells returned and suppressed',
    description: 'Reading the trail is itself recorded. Page on with `before=<next>`. Organisations may not read it (403).',
  })
  async list(@Query() dto: AuditQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const scope = scopeOf(principal.id);
    this.trail.purpose(request);
    if (dto.from && dto.to && Date.parse(dto.to) <= Date.parse(dto.from)) {
      throw new ValidationFailed([{ field: 'to', message: 'to must be after from' }], 'bad_request');
    }
    const { purpose: _purpose, ...filter } = dto;
    const entries = await this.log.list({ ...filter, scope });
    await this.trail.listed(request, principal.id, filter, entries.length, scope.kind === 'state' ? [scope.state] : []);
    return { entries, next: entries.length === dto.limit ? entries[entries.length - 1].id : null };
  }
}

function scopeOf(principal: string): AuditScope {
  if (principal === 'secretariat') return { kind: 'all' };
  if (principal.startsWith('state:')) return { kind: 'state', state: principal.slice(6), principal };
  throw new DomainError('AUDIT.FORBIDDEN', 'the audit trail is for the secretariat and each state (about its own data)', 'forbidden');
}
