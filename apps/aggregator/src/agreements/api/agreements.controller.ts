import { Allow, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PgAgreementRegistry } from '../infrastructure/pg-agreement-registry';

@ApiTags('agreements')
@Allow('reader')
@Controller('v1/agreements')
export class AgreementsController {
  constructor(
    private readonly registry: PgAgreementRegistry,
    private readonly principals: PrincipalResolver,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The agreement registry, with each agreement’s history',
    description: 'The secretariat sees every agreement; a state the agreements it granted and those naming it; an organisation those naming it or anyone.',
  })
  async list(@Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    if (principal.id === 'secretariat') return { agreements: await this.registry.list('all') };
    const providers = principal.id.startsWith('state:') ? [principal.id.slice(6)] : [];
    return { agreements: await this.registry.list({ providers, recipients: [principal.id, '*'] }) };
  }
}
