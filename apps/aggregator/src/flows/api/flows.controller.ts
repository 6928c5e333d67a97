import { ValidationFailed } from '@caravanserai/contracts';
import { Allow, answerConditionally, ApiResult, PrincipalResolver, readWithKeyOf } from '@caravanserai/platform';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { represent } from '../../answers/formats/api/represent';
import { MEDIA_TYPES } from '../../answers/formats/representation/negotiate';
import { QueryFlows } from '../../kernel/messages/query-flows.query';
import { FlowsQueryDto } from './flows-query.dto';
import { FLOWS_SCHEMA, FORMAT_SCHEMAS } from '../../api-schemas';

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
  @ApiProduces(...new Set(Object.values(MEDIA_TYPES)))
  @ApiOperation({
    operationId: 'getFlows',
    summary: 'Regional flows: movements by period and the chosen dimensions, with totals',
    description:
      "Figures of the latest release. Each provider's data is cut to the agreement it granted the caller (whole closed periods, " +
      'its data period), and each provider’s part of every figure is published exactly (the caller’s own state, k = 1) or ' +
      'through the cell-key method (a part below k shown as 0 or k, others moved by at most 3; a figure of 0 is not listed); ' +
      'the `disclosure` block says which release, what applied and, in `notes`, what that means. ' +
      'Also as CSV, SDMX-CSV, SDMX-JSON or HXL (`format`, or Accept); ETag and If-None-Match (304).',
  })
  @ApiResult(200, 'The answer in the format asked (JSON by default)', FLOWS_SCHEMA, FORMAT_SCHEMAS)
  async flows(@Query() dto: FlowsQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const principal = this.principals.require(request);
    const query = dto.toQuery();
    if (query.to < query.from) throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
    // The registry's change count read with the caller's key: the grants are re-read only if it moved.
    const answer = await this.queries.execute(new QueryFlows(query, principal.id, readWithKeyOf(request)));
    // Audited before the representation is chosen: a 304 discloses as much as a 200.
    await this.audit.answered(request, principal.id, query, answer);
    // ETag, Vary and 304 as @Conditional() would (answerConditionally), without Nest's interceptor
    // chain: this is the hot path of repeated questions.
    return answerConditionally(request, reply, represent('flows', answer, request, reply, dto));
  }
}
