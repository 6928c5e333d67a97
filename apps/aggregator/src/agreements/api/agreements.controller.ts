import { Allow, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { PgAgreementRegistry } from '../infrastructure/pg-agreement-registry';
import { AGREEMENTS_SCHEMA } from '../../api-schemas';

@ApiTags('agreements')
@Allow('reader')
@Controller('v1/agreements')
export class AgreementsController {
  constructor(
    private readonly registry: PgAgreementRegistry,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAgreements',
    summary: 'The agreement registry, with each agreement’s history',
    description: 'The secretariat sees every agreement; a state the agreements it granted and those naming it; an organisation those naming it or anyone.',
  })
  // The DTO takes only `purpose`: any other parameter is refused rather than ignored.
  @ApiResult(200, 'The agreements the caller is party to, each with its history', AGREEMENTS_SCHEMA)
  async list(@Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const providers = principal.id.startsWith('state:') ? [principal.id.slice(6)] : [];
    const agreements =
      principal.id === 'secretariat' ? await this.registry.list('all') : await this.registry.list({ providers, recipients: [principal.id, '*'] });
    await this.audit.listed(
      request,
      principal.id,
      {},
      agreements.length,
      agreements.map((a) => a.provider),
    );
    return { agreements };
  }
}
