import { REFERRAL_STATUSES, ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiResult, csvCell, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../../audit/application/audit-trail';
import { QueryReferralSummary } from '../application/query-referral-summary/query-referral-summary.query';
import { ReferralSummary, ReferralSummaryRow } from '../domain/referral-summary';
import { ReferralSummaryQueryDto } from './referral-summary-query.dto';
import { CSV_SCHEMA, REFERRAL_SUMMARY_SCHEMA } from '../../api-schemas';

const FIGURE_COLUMNS: [string, (r: ReferralSummaryRow) => unknown][] = [
  ['referrals', (r) => r.referrals],
  ...REFERRAL_STATUSES.map((s) => [s, (r: ReferralSummaryRow) => r.byStatus[s]] as [string, (r: ReferralSummaryRow) => unknown]),
  ['accepted_ever', (r) => r.accepted],
  ['declined_ever', (r) => r.declined],
  ['acceptance_rate', (r) => r.acceptanceRate],
  ['hours_to_acceptance_median', (r) => r.toAcceptance.medianHours],
  ['hours_to_acceptance_p90', (r) => r.toAcceptance.p90Hours],
  ['hours_to_closure_median', (r) => r.toClosure.medianHours],
  ['hours_to_closure_p90', (r) => r.toClosure.p90Hours],
  ['stalled', (r) => r.stalled],
];

export function toCsv(answer: ReferralSummary): string {
  const dims = answer.query.groupBy;
  const d = answer.disclosure;
  const comments = [
    `# caravanserai referrals ${answer.from} … ${answer.to} by ${answer.granularity}, as seen by ${d.principal}`,
    `# release: ${answer.release ? `${answer.release.id}, cut ${answer.release.cutAt}, data up to ${answer.release.dataUntil}` : 'none yet'}`,
    ...d.agreements.map((a) => `# ${a.provider}: ${a.agreement} (k = ${a.minCellSize}, finest ${a.minTimeGranularity}${a.dataUntil ? `, up to ${a.dataUntil}` : ''})`),
    ...d.leftOut.map((l) => `# left out ${l.provider}: ${l.reason} (${l.agreement})`),
    ...d.coarsened.map((c) => `# coarsened: ${c}`),
    ...d.notes.map((n) => `# ${n}`),
  ];
  const lines = [['period', ...dims, ...FIGURE_COLUMNS.map(([h]) => h)].join(',')];
  for (const row of answer.rows) lines.push([row.period, ...dims.map((d) => row[d]), ...FIGURE_COLUMNS.map(([, f]) => f(row))].map(csvCell).join(','));
  return [...comments, ...lines].join('\r\n') + '\r\n';
}

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
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    operationId: 'getReferralSummary',
    summary: 'Regional referrals: counts by status, acceptance rate, hours to acceptance and to closure (median, 90th percentile), stalled referrals counted',
    description:
      'From the latest release (none yet: no figures, release null); stalled counted as of its cut. Never lists referrals one by one. ' +
      "Every count is published per state through the cell-key method (the caller's own state and k = 1 grants exact). " +
      'Grouping by needs counts a referral under each of its needs; the totals count each once.',
  })
  @ApiResult(200, 'The summary (JSON), or its CSV with Accept: text/csv', REFERRAL_SUMMARY_SCHEMA, { 'text/csv': CSV_SCHEMA })
  async summary(
    @Query() dto: ReferralSummaryQueryDto,
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const principal = this.principals.require(request);
    const query = dto.toQuery();
    if (query.to < query.from) throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
    const answer = await this.queries.execute(new QueryReferralSummary(query, principal.id));
    await this.audit.answered(request, principal.id, query, answer);
    if (accept?.includes('text/csv')) {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="referrals_${query.from}_${query.to}.csv"`);
      return toCsv(answer);
    }
    return answer;
  }
}
