import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { principalKind } from '@caravanserai/credentials';
import { Allow, ApiProblems, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditLog, AuditScope, StoredAuditEntry } from '../domain/audit-log.port';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { AgreementPartiesSource } from '../../kernel/ports/agreement-parties';
import { aboutEntryView, AuditViewer, ownEntryView } from '../domain/audit-view';
import { AuditQueryDto } from './audit-query.dto';
import { AUDIT_SCHEMA } from '../../api-schemas';

@ApiTags('audit')
@Allow('reader', 'admin')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly log: AuditLog,
    private readonly trail: AuditTrail,
    private readonly principals: PrincipalResolver,
    private readonly agreements: AgreementPartiesSource,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEntries',
    summary: 'The audit trail: queries answered, newest first, with who asked, why, the agreements applied and what came back',
    description:
      'A reader (the secretariat, a state, an organisation) sees only its own queries, each with only the terms of agreements it is party to (as the providing state or the recipient, `*` included). ' +
      "A state may ask `about=mine` for the others' queries that concerned its data, each reduced to `at`, `principal`, `endpoint`, `purpose` and its own agreement's terms and exclusions: no parameters, no counts, no other provider. " +
      "The aggregator's admin sees every entry as stored. Reading the trail is itself recorded. Page on with `before=<next>`.",
  })
  @ApiResult(200, 'Audit entries, newest first; next pages on', AUDIT_SCHEMA)
  @ApiProblems({ 403: ['AUDIT.FORBIDDEN'] })
  async list(@Query() dto: AuditQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    this.trail.purpose(request);
    if (dto.from && dto.to && Date.parse(dto.to) <= Date.parse(dto.from)) {
      throw new ValidationFailed([{ field: 'to', message: 'to must be after from' }], 'bad_request');
    }
    const viewer: AuditViewer = { principal: principal.id, state: principalKind(principal.id) === 'state' ? principal.id.slice(6) : null };
    const scope = scopeOf(principal.role === 'admin', viewer, dto);
    const { purpose: _purpose, about: _about, ...filter } = dto;
    const stored = await this.log.list({ ...filter, scope });
    const entries =
      scope.kind === 'all' ? stored : scope.kind === 'about' ? stored.map((e) => aboutEntryView(e, scope.state)) : await this.ownView(stored, viewer);
    await this.trail.listed(
      request,
      principal.id,
      { ...filter, ...(dto.about ? { about: dto.about } : {}) },
      entries.length,
      scope.kind === 'about' ? [scope.state] : [],
    );
    return { entries, next: stored.length === dto.limit ? stored[stored.length - 1].id : null };
  }

  /** The caller's own entries, each with only the agreements it is party to (read from the registry). */
  private async ownView<E extends StoredAuditEntry>(stored: E[], viewer: AuditViewer): Promise<E[]> {
    if (stored.length === 0) return stored;
    const parties = await this.agreements.parties();
    return stored.map((e) => ownEntryView(e, viewer, parties));
  }
}

function scopeOf(admin: boolean, viewer: AuditViewer, dto: AuditQueryDto): AuditScope {
  if (admin) return { kind: 'all' };
  if (dto.about !== 'mine') return { kind: 'own', principal: viewer.principal };
  if (!viewer.state) throw new DomainError('AUDIT.FORBIDDEN', 'about=mine is for a state: the queries of others that concerned its data', 'forbidden');
  if (dto.provider && dto.provider !== viewer.state) {
    throw new ValidationFailed([{ field: 'provider', message: `with about=mine, provider may only be your own state (${viewer.state})` }], 'bad_request');
  }
  return { kind: 'about', state: viewer.state, principal: viewer.principal };
}
