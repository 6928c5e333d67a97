import { referenceCatalogue } from '@caravanserai/contracts';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

const catalogue = referenceCatalogue();

/** Served by both services, so that integrators can validate before they post. */
@ApiTags('reference')
@Controller('v1/reference')
export class ReferenceController {
  @Get()
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Code lists: countries, categories, needs, age bands, border crossing points' })
  get() {
    return catalogue;
  }
}
