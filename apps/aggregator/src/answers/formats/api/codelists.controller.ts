import { DomainError } from '@caravanserai/contracts';
import { Allow, ApiProblems, ApiResult, Conditional, negotiateLanguage } from '@caravanserai/platform';
import { SDMX_STRUCTURE_SCHEMA } from '../../../api-schemas';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codelistsMessage } from '../representation/sdmx-codelists';
import { codelist, CODELISTS } from '../representation/sdmx-structure';

const STRUCTURE_MEDIA = 'application/vnd.sdmx.structure+json; version=2.0.0; charset=utf-8';
/** Code lists change only with the code (a new release of the service). */
const PREPARED = new Date().toISOString();

@ApiTags('sdmx')
@Allow('any')
@Controller('v1/sdmx/codelists')
export class CodelistsController {
  @Get()
  @Conditional()
  @ApiProduces(STRUCTURE_MEDIA)
  @ApiResult(200, 'Every code list', null, { 'application/vnd.sdmx.structure+json': SDMX_STRUCTURE_SCHEMA })
  @ApiOperation({
    operationId: 'listSdmxCodelists',
    summary: 'SDMX code lists of the SDMX-CSV and SDMX-JSON exports (SDMX-JSON 2.0 structure message), with English and Russian names',
    description: '`name` follows Accept-Language (en, ru); `names` holds both. Country codes are ISO 3166-1 alpha-3, with the alpha-2 code in an annotation.',
  })
  all(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.send(CODELISTS, request, reply);
  }

  @Get(':id')
  @Conditional()
  @ApiProduces(STRUCTURE_MEDIA)
  @ApiResult(200, 'The code list', null, { 'application/vnd.sdmx.structure+json': SDMX_STRUCTURE_SCHEMA })
  @ApiProblems({ 404: ['SDMX.CODELIST_NOT_FOUND'] })
  @ApiOperation({ operationId: 'getSdmxCodelist', summary: 'One SDMX code list (e.g. CL_COUNTRY, CL_CATEGORY, CL_CONF_STATUS)' })
  one(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = codelist(id);
    if (!list) throw new DomainError('SDMX.CODELIST_NOT_FOUND', `no code list "${id}": see GET /v1/sdmx/codelists`, 'not_found');
    return this.send([list], request, reply);
  }

  private send(lists: typeof CODELISTS, request: FastifyRequest, reply: FastifyReply): string {
    const language = negotiateLanguage(request.headers['accept-language']);
    reply.header('content-type', STRUCTURE_MEDIA);
    reply.header('content-language', language);
    return JSON.stringify(codelistsMessage(lists, language, PREPARED));
  }
}
