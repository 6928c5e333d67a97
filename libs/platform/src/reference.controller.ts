import { REFERENCE_SCHEMA } from './openapi/common-schemas';
import { ApiResult } from './openapi/schema-helpers';
import { referenceCatalogue } from '@caravanserai/contracts';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from './auth/access.decorator';
import { Conditional } from './conditional';

const catalogue = referenceCatalogue();

/** Served by both services, so that integrators can validate before they post; to any caller
 * with a key (only health is open). */
@ApiTags('reference')
@Allow('any')
@Controller('v1/reference')
export class ReferenceController {
  @Get()
  @Conditional()
  @Header('cache-control', 'private, max-age=3600')
  @ApiOperation({
    operationId: 'getReference',
    summary: 'Code lists (countries with alpha-3, categories, needs, age bands, border crossing points…) and an English and a Russian label for every code',
  })
  @ApiResult(200, 'The code lists', REFERENCE_SCHEMA)
  get() {
    return catalogue;
  }
}
