import { Allow } from '@caravanserai/platform';
import { AgreementTerms, DomainError } from '@caravanserai/contracts';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AmendAgreementCommand } from '../application/amend-agreement/amend-agreement.command';
import { GrantAgreementCommand } from '../application/grant-agreement/grant-agreement.command';
import { GetAgreementQuery, ListAgreementsQuery } from '../application/read-agreements/read-agreements.query';
import { RevokeAgreementCommand } from '../application/revoke-agreement/revoke-agreement.command';
import { AmendAgreementDto, GrantAgreementDto, NoParametersDto, RevocationDto } from './agreement.dto';

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
    summary: "Grant a data-sharing agreement for this node's state (AgreementGranted)",
    description:
      'The node chooses the agreementId. Invalid or contradictory terms: 422 with every problem by field, nothing recorded. ' +
      "A provider other than this node's state: 403.",
  })
  grant(@Body() body: GrantAgreementDto) {
    const { provider, ...terms } = plain<GrantAgreementDto>(body);
    return this.commands.execute(new GrantAgreementCommand(terms as AgreementTerms, provider ?? undefined));
  }

  @Patch(':agreementId')
  @ApiOperation({
    summary: 'Amend the terms of an agreement (AgreementAmended)',
    description:
      'The body holds the terms that change, each whole. The amended terms are checked as a whole (422); the recipient cannot change (422); ' +
      'an amendment that changes nothing is 422; a revoked agreement cannot be amended (409).',
  })
  amend(@Param('agreementId', new ParseUUIDPipe()) agreementId: string, @Body() body: AmendAgreementDto) {
    return this.commands.execute(new AmendAgreementCommand(agreementId, plain<Partial<AgreementTerms>>(body)));
  }

  @Post(':agreementId/revocation')
  @HttpCode(201)
  @ApiOperation({ summary: 'Revoke an agreement (AgreementRevoked); final: a revoked agreement cannot be amended or revoked again (409)' })
  revoke(@Param('agreementId', new ParseUUIDPipe()) agreementId: string, @Body() body: RevocationDto) {
    return this.commands.execute(new RevokeAgreementCommand(agreementId, body.reason));
  }

  @Get()
  @ApiOperation({ summary: "This node's agreements: current terms, status and every decision on each" })
  async list(@Query() _query: NoParametersDto) {
    return { agreements: await this.queries.execute(new ListAgreementsQuery()) };
  }

  @Get(':agreementId')
  @ApiOperation({ summary: 'One agreement: current terms, status and history' })
  async get(@Param('agreementId', new ParseUUIDPipe()) agreementId: string) {
    const view = await this.queries.execute(new GetAgreementQuery(agreementId));
    if (!view) throw new DomainError('AGREEMENT.NOT_FOUND', `no agreement ${agreementId} was granted by this node`, 'not_found');
    return view;
  }
}
