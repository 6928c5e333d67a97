import { Allow, ApiResult, Conditional, csvCell, PrincipalResolver } from '@caravanserai/platform';
import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'pg';
import { AgreementRegistry } from '../../kernel/ports/agreement-registry';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../config/aggregator.config';
import { Clock, CLOCK, PG_POOL } from '../../infrastructure/tokens';
import { AlertRecord, visibleAlert } from '../domain/alert-visibility';
import { DEFAULT_THRESHOLDS } from '../domain/surge-detector';
import { listAlerts } from '../infrastructure/pg-alert-list';
import { AlertsQueryDto } from './alerts-query.dto';
import { ALERTS_SCHEMA, CSV_SCHEMA } from '../../api-schemas';

/** Said with every JSON answer, in words a reader understands (docs/alerts.md). */
const FIGURES_NOTE =
  'A state sees the figures of alerts on its own data exactly. Everyone else sees them adjusted by a small, fixed amount (at most 3 ' +
  'movements a week; a week of fewer than the state’s minimum shown as 0 or as that minimum), so that two days’ alerts cannot be ' +
  'compared to learn single days; the ratio and score are computed from the adjusted weeks. The severity is decided on the exact data.';

const CSV_COLUMNS: [string, (a: AlertRecord) => unknown][] = [
  ['alert_id', (a) => a.alertId],
  ['status', (a) => a.status],
  ['severity', (a) => a.severity],
  ['provider', (a) => a.provider],
  ['scope', (a) => a.scope],
  ['route', (a) => a.route],
  ['border_crossing_point', (a) => a.borderCrossingPoint],
  ['category', (a) => a.category],
  ['window_from', (a) => a.window.from],
  ['window_to', (a) => a.window.to],
  ['recent', (a) => a.recent],
  ['expected_weekly', (a) => a.expectedWeekly],
  ['ratio', (a) => a.ratio],
  ['detected_at', (a) => a.detectedAt],
  ['subsided_at', (a) => a.subsidedAt],
];
@ApiTags('alerts')
@Allow('reader')
@Controller('v1/alerts')
export class AlertsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly registry: AgreementRegistry,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Conditional()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    operationId: 'listAlerts',
    summary: 'Surge alerts: routes, crossing points and route categories whose last week is well above their usual week',
    description:
      'Each alert is computed from one state’s movements and shown only when that state’s agreement lets the caller see that data at the ' +
      'alert’s dimensions, weekly (docs/alerts.md). The state itself (and a k = 1 grant) sees exact figures; every other caller sees the ' +
      'last week and the baseline weeks published with cell-key noise (at most ±3; a count below k as 0 or k), the ratio and score ' +
      'computed from those, and no alert whose published last week is 0. ETag and If-None-Match (304); the listing is audited either way.',
  })
  @ApiResult(200, 'The alerts the caller may see (JSON), or their CSV with Accept: text/csv', ALERTS_SCHEMA, { 'text/csv': CSV_SCHEMA })
  async alerts(
    @Query() dto: AlertsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const principal = this.principals.require(request);
    this.audit.purpose(request); // a bad purpose is refused before any work
    const today = this.clock().toISOString().slice(0, 10);
    const [all, grants] = await Promise.all([listAlerts(this.pool, { status: dto.status ?? 'active', since: dto.since }), this.registry.grants()]);
    const alerts = all.map((a) => visibleAlert(a, grants, principal, today)).filter((a): a is AlertRecord => a !== null);
    const { purpose: _purpose, ...query } = dto;
    await this.audit.listed(request, principal.id, query, alerts.length, new Set(alerts.map((a) => a.provider)));
    if (accept?.includes('text/csv')) {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="alerts.csv"');
      const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
      for (const a of alerts) lines.push(CSV_COLUMNS.map(([, get]) => csvCell(get(a))).join(','));
      return lines.join('\r\n') + '\r\n';
    }
    const t = DEFAULT_THRESHOLDS;
    return {
      principal: principal.id,
      figures: FIGURES_NOTE,
      method: {
        name: 'weekly-robust-v1',
        recentDays: 7,
        baselineDays: 28,
        minVolume: this.config.ALERTS_MIN_VOLUME,
        levels: t.levels,
        clearRatio: t.clearRatio,
        clearScore: t.clearScore,
      },
      alerts,
    };
  }
}
