import { DomainError } from '@caravanserai/contracts';
import { Allow, ApiProblems, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AgreementRegistry } from '../../kernel/ports/agreement-registry';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { Clock, CLOCK } from '../../infrastructure/tokens';
import { DeclareEmergencyCommand } from '../application/declare-emergency/declare-emergency.command';
import { EndEmergencyCommand } from '../application/end-emergency/end-emergency.command';
import { EmergencyError } from '../domain/emergency.decider';
import { emergencyView } from '../domain/emergency-view';
import { PgEmergencies } from '../infrastructure/pg-emergencies';
import { DeclareEmergencyDto, EndEmergencyDto, SharedQueryDto } from './emergency.dto';
import { EMERGENCIES_SCHEMA, EMERGENCY_SCHEMA, EMERGENCY_SHARED_SCHEMA } from '../../api-schemas';

@ApiTags('emergencies')
@Allow('reader')
@Controller('v1/emergencies')
export class EmergenciesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly emergencies: PgEmergencies,
    private readonly registry: AgreementRegistry,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'declareEmergency',
    summary: 'Declare an emergency on routes or crossing points (the secretariat only; EmergencyDeclared in the signed log)',
    description:
      'In force from now until declared over or `days` run out, whichever first. States whose emergency terms say on-critical-surge and who report a route in scope ' +
      'with a critical surge alert standing have them activated at once; the others only when they activate them at their node (docs/emergencies.md). ' +
      'Not the secretariat: 403. Bad routes, unknown crossing points, none of either, days outside 1..90: 422, nothing recorded.',
  })
  @ApiResult(201, 'The emergency declared, as the secretariat sees it', EMERGENCY_SCHEMA)
  @ApiProblems({ 403: ['EMERGENCY.FORBIDDEN'], 409: ['SECRETARIAT.CONFLICT'] })
  declare(@Body() body: DeclareEmergencyDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    return this.commands.execute(new DeclareEmergencyCommand(principal.id, body.routes ?? [], body.borderCrossingPoints ?? [], body.days, body.reason));
  }

  @Post(':emergencyId/end')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'endEmergency',
    summary: 'Declare an emergency over (the secretariat only; EmergencyEnded)',
    description: 'From then on every answer under it is the ordinary one. Already over (declared or its days ran out), or changed meanwhile: 409.',
  })
  @ApiResult(201, 'The emergency, ended', EMERGENCY_SCHEMA)
  @ApiProblems({ 403: ['EMERGENCY.FORBIDDEN'], 404: ['EMERGENCY.NOT_FOUND'], 409: ['EMERGENCY.ENDED', 'SECRETARIAT.CONFLICT'] })
  end(@Param('emergencyId', new ParseUUIDPipe()) emergencyId: string, @Body() body: EndEmergencyDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    return this.commands.execute(new EndEmergencyCommand(principal.id, emergencyId, body.reason));
  }

  @Get()
  @ApiOperation({
    operationId: 'listEmergencies',
    summary: 'Emergencies declared, newest first, each as the caller may see it',
    description:
      "Everyone sees what was declared; the secretariat every concerned state's terms and their status, a state its own; every caller which states' terms apply to it now.",
  })
  @ApiResult(200, 'The emergencies', EMERGENCIES_SCHEMA)
  async list(@Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const now = this.clock().toISOString();
    const all = (await this.emergencies.all()).reverse();
    const [grants, activations] = await Promise.all([this.registry.grants(), this.emergencies.activations(all.map((e) => e.id))]);
    const emergencies = all.map((e) => emergencyView(e, grants, activations, principal.id, now));
    await this.audit.listed(
      request,
      principal.id,
      {},
      emergencies.length,
      emergencies.flatMap((e) => e.terms.map((t) => t.provider)),
    );
    return { emergencies };
  }

  @Get(':emergencyId')
  @ApiOperation({ operationId: 'getEmergency', summary: 'One emergency, as the caller may see it' })
  @ApiResult(200, 'The emergency', EMERGENCY_SCHEMA)
  @ApiProblems({ 404: ['EMERGENCY.NOT_FOUND'] })
  async get(@Param('emergencyId', new ParseUUIDPipe()) emergencyId: string, @Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const e = await this.emergencies.get(emergencyId);
    if (!e) throw EmergencyError.notFound(emergencyId);
    const [grants, activations] = await Promise.all([this.registry.grants(), this.emergencies.activations([emergencyId])]);
    const view = emergencyView(e, grants, activations, principal.id, this.clock().toISOString());
    await this.audit.listed(
      request,
      principal.id,
      { emergencyId },
      1,
      view.terms.map((t) => t.provider),
    );
    return view;
  }

  @Get(':emergencyId/shared')
  @ApiOperation({
    operationId: 'listSharedUnderEmergency',
    summary: "What was shared under emergency terms during this emergency: a state's list of its own, or the secretariat's of every state's",
    description:
      'From the audit trail (REST answers and feed items alike), newest first: each query or item that had a part cut to emergency terms, reduced to when, who, ' +
      "which endpoint, why, and those terms' agreements (a state: its own only); no parameters, no counts. Others: 403.",
  })
  @ApiResult(200, 'The entries, newest first; next pages on', EMERGENCY_SHARED_SCHEMA)
  @ApiProblems({ 403: ['EMERGENCY.FORBIDDEN'], 404: ['EMERGENCY.NOT_FOUND'] })
  async shared(@Param('emergencyId', new ParseUUIDPipe()) emergencyId: string, @Query() dto: SharedQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const state = principal.id.startsWith('state:') ? principal.id.slice(6) : null;
    if (principal.id !== 'secretariat' && !state) {
      throw new DomainError(
        'EMERGENCY.FORBIDDEN',
        `the list of what was shared under emergency terms is for the states and the secretariat, not ${principal.id}`,
        'forbidden',
      );
    }
    if (!(await this.emergencies.get(emergencyId))) throw EmergencyError.notFound(emergencyId);
    const { entries, next } = await this.audit.sharedUnderEmergency(emergencyId, { principal: principal.id, state }, { before: dto.before, limit: dto.limit });
    await this.audit.listed(request, principal.id, { emergencyId, ...(dto.before ? { before: dto.before } : {}) }, entries.length, state ? [state] : []);
    return { emergencyId, entries, next };
  }
}
