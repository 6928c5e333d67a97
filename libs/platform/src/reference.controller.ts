import { REFERENCE_SCHEMA } from './openapi/common-schemas';
import { ApiResult } from './openapi/schema-helpers';
import { referenceCatalogue } from '@caravanserai/contracts';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from './auth/access.decorator';

const catalogue = referenceCatalogue();

/** Served by both services, so that integrators can validate before they post; to any caller
 * with a key (only health is open). */
@ApiTags('reference')
@Allow('any')
@Controller('v1/reference')
export class ReferenceController {
  @Get()
  @Header('cache-control', 'private, max-age=3600')
  @ApiOperation({ operationId: 'getReference', summary: 'Code lists: countries, categories, needs, age bands, border crossing points' })
  @ApiResult(200, 'The code lists', REFERENCE_SCHEMA)
  get() {
    return catalogue;
  }
}
