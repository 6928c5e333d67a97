import { Allow } from '@caravanserai/platform';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { listQuarantine } from '../infrastructure/pg-quarantine-list';
import { QuarantineQueryDto } from './quarantine-query.dto';

@ApiTags('quarantine')
@Allow('admin', 'reader:secretariat')
@Controller('v1/quarantine')
export class QuarantineController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  @ApiOperation({
    summary: 'Messages that could not be taken in, with the reason; paged by id. Replay one with `npm run quarantine:replay -- --id N`',
    description: 'For the secretariat (reader key) and the operator (admin key) only: quarantined payloads are events of any state, outside every agreement.',
  })
  list(@Query() query: QuarantineQueryDto) {
    return listQuarantine(this.pool, query);
  }
}
