import { ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiResult, Conditional, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { represent } from '../../answers/formats/api/represent';
import { MEDIA_TYPES } from '../../answers/formats/representation/negotiate';
import { QueryReferralSummary } from '../../kernel/messages/query-referral-summary.query';
import { ReferralSummaryQueryDto } from './referral-summary-query.dto';
import { FORMAT_SCHEMAS, REFERRAL_SUMMARY_SCHEMA } from '../../api-schemas';

@ApiTags('referrals')
@Allow('reader')
@Controller('v1/referrals')
export class ReferralSummaryController {
  constructor(
    private readonly queries: QueryBus,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
  ) {}

  @Get('summary')
  @Conditional()
  @ApiProduces(...new Set(Object.values(MEDIA_TYPES)))
  @ApiOperation({
    operationId: 'getReferralSummary',
    summary: 'Regional referrals: counts by status, acceptance rate, hours to acceptance and to closure (median, 90th percentile), stalled referrals counted',
    description:
      'From the latest release (none yet: no figures, release null); stalled counted as of its cut. Never lists referrals one by one. ' +
      "Every count is published per state through the cell-key method (the caller's own state and k = 1 grants exact). " +
      'Grouping by needs counts a referral under each of its needs; the totals count each once. ' +
      'Also as CSV, SDMX-CSV, SDMX-JSON or HXL (`format`, or Accept), withheld durations flagged CONF_STATUS C; ETag and If-None-Match (304).',
  })
  @ApiResult(200, 'The summary in the format asked (JSON by default)', REFERRAL_SUMMARY_SCHEMA, FORMAT_SCHEMAS)
  async summary(@Query() dto: ReferralSummaryQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const principal = this.principals.require(request);
    const query = dto.toQuery();
    if (query.to < query.from) throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
    const answer = await this.queries.execute(new QueryReferralSummary(query, principal.id));
    // Audited before the representation is chosen: a 304 discloses as much as a 200.
    await this.audit.answered(request, principal.id, query, answer);
    return represent('referrals', answer, request, reply, dto);
  }
}
