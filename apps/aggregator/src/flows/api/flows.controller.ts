import { ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiResult, csvCell, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../../audit/application/audit-trail';
import { QueryFlows } from '../application/query-flows/query-flows.query';
import { FlowAnswer } from '../domain/flow-query';
import { FlowsQueryDto } from './flows-query.dto';
import { CSV_SCHEMA, FLOWS_SCHEMA } from '../../api-schemas';

/** CSV of the answer's cells; what applied (release, agreements, coarsening, protection) comes
 * first as `#` comment lines, in words. */
export function toCsv(answer: FlowAnswer): string {
  const d = answer.disclosure;
  const comments = [
    `# caravanserai flows ${answer.from} … ${answer.to} by ${answer.granularity}, as seen by ${d.principal}`,
    `# release: ${d.release ? `${d.release.id}, cut ${d.release.cutAt}, data up to ${d.release.dataUntil}` : 'none yet'}`,
    ...d.agreements.map((a) => `# ${a.provider}: ${a.agreement} (k = ${a.minCellSize}, finest ${a.minTimeGranularity}${a.dataUntil ? `, up to ${a.dataUntil}` : ''})`),
    ...d.leftOut.map((l) => `# left out ${l.provider}: ${l.reason} (${l.agreement})`),
    ...d.coarsened.map((c) => `# coarsened: ${c}`),
    ...d.notes.map((n) => `# ${n}`),
  ];
  const header = ['period', ...answer.query.groupBy, 'count'];
  const lines = [header.join(',')];
  for (const row of answer.rows) lines.push(header.map((h) => csvCell((row as Record<string, unknown>)[h])).join(','));
  return [...comments, ...lines].join('\r\n') + '\r\n';
}

/** The JSON of each answer, made once: a kept answer (see QueryFlowsHandler) comes back as the
 * same object, so a repeated question is not serialised again; dropped with the answer. */
const serialised = new WeakMap<FlowAnswer, string>();
function toJson(answer: FlowAnswer): string {
  let json = serialised.get(answer);
  if (json === undefined) {
    json = JSON.stringify(answer);
    serialised.set(answer, json);
  }
  return json;
}

@ApiTags('flows')
@Allow('reader')
@Controller('v1/flows')
export class FlowsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    operationId: 'getFlows',
    summary: 'Regional flows: movements by period and the chosen dimensions, with totals',
    description:
      "Figures of the latest release. Each provider's data is cut to the agreement it granted the caller (whole closed periods, " +
      'its data period), and each provider’s part of every figure is published exactly (the caller’s own state, k = 1) or ' +
      'through the cell-key method (a part below k shown as 0 or k, others moved by at most 3; a figure of 0 is not listed); ' +
      'the `disclosure` block says which release, what applied and, in `notes`, what that means.',
  })
  @ApiResult(200, 'The answer (JSON), or its CSV with Accept: text/csv', FLOWS_SCHEMA, { 'text/csv': CSV_SCHEMA })
  async flows(
    @Query() dto: FlowsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const principal = this.principals.require(request);
    const query = dto.toQuery();
    if (query.to < query.from) throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
    const answer = await this.queries.execute(new QueryFlows(query, principal.id));
    await this.audit.answered(request, principal.id, query, answer);
    if (accept?.includes('text/csv')) {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="flows_${answer.from}_${answer.to}.csv"`);
      return toCsv(answer);
    }
    reply.header('content-type', 'application/json; charset=utf-8');
    return toJson(answer);
  }
}
