import { Allow, ApiProblems, ApiResult } from '@caravanserai/platform';
import { AgreementTerms, DomainError } from '@caravanserai/contracts';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActivateEmergencyTermsCommand } from '../application/activate-emergency-terms/activate-emergency-terms.command';
import { AmendAgreementCommand } from '../application/amend-agreement/amend-agreement.command';
import { GrantAgreementCommand } from '../application/grant-agreement/grant-agreement.command';
import { GetAgreementQuery, ListAgreementsQuery } from '../application/read-agreements/read-agreements.query';
import { RevokeAgreementCommand } from '../application/revoke-agreement/revoke-agreement.command';
import { AmendAgreementDto, EmergencyActivationDto, GrantAgreementDto, NoParametersDto, RevocationDto } from './agreement.dto';
import { AGREEMENT_DECISION, AGREEMENT_VIEW, AGREEMENTS, EMERGENCY_ACTIVATION } from '../../api-schemas';

/** The validated body as plain JSON: no DTO instances, no members left undefined. */
const plain = <T>(dto: object): T => JSON.parse(JSON.stringify(dto)) as T;

@ApiTags('agreements')
@Allow('admin')
@Controller('v1/agreements')
export class AgreementsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'grantAgreement',
    summary: "Grant a data-sharing agreement for this node's state (AgreementGranted)",
    description:
      'The node chooses the agreementId. Invalid or contradictory terms: 422 with every problem by field, nothing recorded. ' +
      "A provider other than this node's state: 403.",
  })
  @ApiResult(201, 'The agreement granted', AGREEMENT_DECISION)
  @ApiProblems({ 403: ['AGREEMENT.FOREIGN_PROVIDER'], 409: ['AGREEMENT.ALREADY_GRANTED', 'AGREEMENT.CONCURRENT_CHANGE'] })
  grant(@Body() body: GrantAgreementDto) {
    const { provider, ...terms } = plain<GrantAgreementDto>(body);
    return this.commands.execute(new GrantAgreementCommand(terms as AgreementTerms, provider ?? undefined));
  }

  @Patch(':agreementId')
  @ApiOperation({
    operationId: 'amendAgreement',
    summary: 'Amend the terms of an agreement (AgreementAmended)',
    description:
      'The body holds the terms that change, each whole. The amended terms are checked as a whole (422); the recipient cannot change (422); ' +
      'an amendment that changes nothing is 422; a revoked agreement cannot be amended (409).',
  })
  @ApiResult(200, 'The amendment recorded, with what changed', AGREEMENT_DECISION)
  @ApiProblems({ 404: ['AGREEMENT.NOT_FOUND'], 409: ['AGREEMENT.REVOKED', 'AGREEMENT.CONCURRENT_CHANGE'], 422: ['AGREEMENT.NO_CHANGE'] })
  amend(@Param('agreementId', new ParseUUIDPipe()) agreementId: string, @Body() body: AmendAgreementDto) {
    return this.commands.execute(new AmendAgreementCommand(agreementId, plain<Partial<AgreementTerms>>(body)));
  }

  @Post(':agreementId/revocation')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'revokeAgreement',
    summary: 'Revoke an agreement (AgreementRevoked); final: a revoked agreement cannot be amended or revoked again (409)',
  })
  @ApiResult(201, 'The revocation recorded', AGREEMENT_DECISION)
  @ApiProblems({ 404: ['AGREEMENT.NOT_FOUND'], 409: ['AGREEMENT.REVOKED', 'AGREEMENT.CONCURRENT_CHANGE'] })
  revoke(@Param('agreementId', new ParseUUIDPipe()) agreementId: string, @Body() body: RevocationDto) {
    return this.commands.execute(new RevokeAgreementCommand(agreementId, body.reason));
  }

  @Post(':agreementId/emergency-activations')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'activateEmergencyTerms',
    summary: "Activate the agreement's emergency terms for a declared emergency (EmergencyTermsActivated)",
    description:
      'The state consents, at its own node, to its emergency terms applying during one emergency the secretariat declared at the aggregator. ' +
      'The aggregator applies them from when it receives the event until the earliest of activation + maxDays, the end of the emergency and the ' +
      'revocation or expiry of the agreement, for data in the emergency’s scope only (docs/emergencies.md). ' +
      'No emergency terms, or the agreement not in force today: 422; already activated for that emergency, or revoked: 409.',
  })
  @ApiResult(201, 'The activation recorded', EMERGENCY_ACTIVATION)
  @ApiProblems({
    404: ['AGREEMENT.NOT_FOUND'],
    409: ['AGREEMENT.REVOKED', 'AGREEMENT.ALREADY_ACTIVATED', 'AGREEMENT.CONCURRENT_CHANGE'],
    422: ['AGREEMENT.NO_EMERGENCY_TERMS', 'AGREEMENT.NOT_IN_FORCE'],
  })
  activate(@Param('agreementId', new ParseUUIDPipe()) agreementId: string, @Body() body: EmergencyActivationDto) {
    return this.commands.execute(new ActivateEmergencyTermsCommand(agreementId, body.emergencyId, body.reason));
  }

  @Get()
  @ApiOperation({ operationId: 'listAgreements', summary: "This node's agreements: current terms, status and every decision on each" })
  @ApiResult(200, "This node's agreements", AGREEMENTS)
  async list(@Query() _query: NoParametersDto) {
    return { agreements: await this.queries.execute(new ListAgreementsQuery()) };
  }

  @Get(':agreementId')
  @ApiOperation({ operationId: 'getAgreement', summary: 'One agreement: current terms, status and history' })
  @ApiResult(200, 'The agreement', AGREEMENT_VIEW)
  @ApiProblems({ 404: ['AGREEMENT.NOT_FOUND'] })
  async get(@Param('agreementId', new ParseUUIDPipe()) agreementId: string) {
    const view = await this.queries.execute(new GetAgreementQuery(agreementId));
    if (!view) throw new DomainError('AGREEMENT.NOT_FOUND', `no agreement ${agreementId} was granted by this node`, 'not_found');
    return view;
  }
}
