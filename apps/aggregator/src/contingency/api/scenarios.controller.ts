import { Allow, ApiProblems, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SCENARIO_SCHEMA, SCENARIOS_SCHEMA } from '../../api-schemas';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { ChangeScenario } from '../application/change-scenario/change-scenario.command';
import { QueryScenarios } from '../../kernel/messages/query-scenarios.query';
import type { ScenarioView } from '../domain/scenario';
import { ScenariosQueryDto, SetScenarioDto, WithdrawScenarioDto } from './scenarios.dto';

/**
 * Contingency scenarios (docs/contingency.md): the secretariat sets and withdraws them; every
 * reader may list them. They are the secretariat's planning assumptions, not any state's data:
 * nothing in them is computed from movements, so listing them discloses no state's counts.
 */
@ApiTags('scenarios')
@Controller('v1/scenarios')
export class ScenariosController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Post()
  @HttpCode(201)
  @Allow('reader:secretariat')
  @ApiOperation({
    operationId: 'setScenario',
    summary: 'Set the contingency scenario of a route or crossing point: planning figure, reception capacity, why (the secretariat)',
    description:
      'Recorded as a new version, signed, in the secretariat log. `expectedVersion` makes it conditional: 409 when another version was recorded meanwhile.',
  })
  @ApiResult(201, 'The scenario now in force, with its history', SCENARIO_SCHEMA)
  @ApiProblems({ 409: ['SECRETARIAT.CONFLICT'] })
  async set(@Body() dto: SetScenarioDto, @Req() request: FastifyRequest): Promise<ScenarioView> {
    const principal = this.principals.require(request);
    return this.commands.execute(
      new ChangeScenario(
        {
          type: 'SetScenario',
          target: dto.target,
          planningFigure: dto.planningFigure,
          capacityPerDay: dto.capacityPerDay,
          places: dto.places?.map((p) => ({ ...p })),
          reason: dto.reason,
          expectedVersion: dto.expectedVersion,
        },
        principal.id,
      ),
    );
  }

  @Post('withdrawals')
  @HttpCode(201)
  @Allow('reader:secretariat')
  @ApiOperation({
    operationId: 'withdrawScenario',
    summary: 'Withdraw the scenario of a route or crossing point, saying why (the secretariat)',
    description: 'Its history stays listed.',
  })
  @ApiResult(201, 'The scenario, withdrawn, with its history', SCENARIO_SCHEMA)
  @ApiProblems({ 404: ['SCENARIO.NOT_FOUND'], 409: ['SECRETARIAT.CONFLICT'] })
  async withdraw(@Body() dto: WithdrawScenarioDto, @Req() request: FastifyRequest): Promise<ScenarioView> {
    const principal = this.principals.require(request);
    return this.commands.execute(
      new ChangeScenario({ type: 'WithdrawScenario', target: dto.target, reason: dto.reason, expectedVersion: dto.expectedVersion }, principal.id),
    );
  }

  @Get()
  @Allow('reader')
  @ApiOperation({
    operationId: 'listScenarios',
    summary: 'Contingency scenarios in force (or all, with status=all), each with every version: who, when, why',
    description: "Any reader: the secretariat's planning figures and capacities, not any state's data.",
  })
  @ApiResult(200, 'The scenarios, by target', SCENARIOS_SCHEMA)
  async list(@Query() dto: ScenariosQueryDto, @Req() request: FastifyRequest): Promise<{ scenarios: ScenarioView[] }> {
    const principal = this.principals.require(request);
    const scenarios = await this.queries.execute(new QueryScenarios(dto.status));
    await this.audit.listed(request, principal.id, { status: dto.status }, scenarios.length);
    return { scenarios };
  }
}
