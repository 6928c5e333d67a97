import { ValidationFailed } from '@caravanserai/contracts';
import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { QueryFlows } from '../application/query-flows/query-flows.query';
import { FlowAnswer } from '../domain/flow-query';
import { FlowsQueryDto } from './flows-query.dto';

const csvCell = (v: unknown) => {
  const s = String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(answer: FlowAnswer): string {
  const header = ['period', ...answer.query.groupBy, 'count'];
  const lines = [header.join(',')];
  for (const row of answer.rows) lines.push(header.map((h) => csvCell((row as Record<string, unknown>)[h])).join(','));
  return lines.join('\r\n') + '\r\n';
}

@ApiTags('flows')
@Controller('v1/flows')
export class FlowsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'Regional flows: counts of movements by period and the chosen dimensions, with totals' })
  async flows(@Query() dto: FlowsQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const query = dto.toQuery();
    if (query.to < query.from) throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
    const answer = await this.queries.execute(new QueryFlows(query));
    if (accept?.includes('text/csv')) {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="flows_${query.from}_${query.to}.csv"`);
      return toCsv(answer);
    }
    return answer;
  }
}
