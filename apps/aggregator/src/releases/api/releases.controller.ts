import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiProblems, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { Body, Controller, Get, HttpCode, Inject, Post, Put, Query, Req } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Pool } from 'pg';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { Clock, CLOCK, PG_POOL } from '../../infrastructure/tokens';
import { ReleaseCut } from '../../kernel/messages/release-cut.event';
import { lastClosedDay } from '../domain/release';
import { cutRelease, listReleases, readSchedule, writeSchedule } from '../infrastructure/pg-releases';
import { CutReleaseDto, ReleaseScheduleDto } from './releases.dto';
import { RELEASE_SCHEMA, RELEASES_SCHEMA, SCHEDULE_SCHEMA } from '../../api-schemas';

@ApiTags('releases')
@Controller('v1/releases')
export class ReleasesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly principals: PrincipalResolver,
    private readonly audit: AuditTrail,
    private readonly events: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Allow('reader', 'admin')
  @ApiOperation({
    operationId: 'listReleases',
    summary: 'Releases, newest first, and the schedule: answers read the newest',
    description: 'Any reader or the admin.',
  })
  @ApiResult(200, 'The latest 100 releases and the schedule', RELEASES_SCHEMA)
  async list(@Query() _query: PurposeQueryDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const [releases, schedule] = await Promise.all([listReleases(this.pool, 100), readSchedule(this.pool)]);
    await this.audit.listed(request, principal.id, {}, releases.length);
    return { releases, schedule };
  }

  @Post()
  @HttpCode(201)
  @Allow('admin')
  @ApiOperation({
    operationId: 'cutRelease',
    summary: 'Cut a release now: answers move to the projections as they are, up to dataUntil (default yesterday)',
    description: "The aggregator's admin only. Late records and retractions reach answers only with the next release.",
  })
  @ApiResult(201, 'The release cut', RELEASE_SCHEMA)
  @ApiProblems({ 409: ['RELEASE.BACKWARDS'] })
  async cut(@Body() dto: CutReleaseDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    const latest = lastClosedDay(this.clock());
    const dataUntil = dto.dataUntil ?? latest;
    if (dataUntil > latest) {
      throw new ValidationFailed([{ field: 'dataUntil', message: `dataUntil must be a day that has ended: ${latest} or earlier` }], 'bad_request');
    }
    const release = await cutRelease(this.pool, { dataUntil, by: principal.id, reason: dto.reason ?? null });
    // After the commit: the feeds write the release's items (and catch up at start after a crash).
    this.events.publish(new ReleaseCut(release));
    return release;
  }

  @Put('schedule')
  @Allow('reader:secretariat')
  @ApiOperation({
    operationId: 'setReleaseSchedule',
    summary: 'Set when releases are cut by themselves (the secretariat)',
    description: 'daily at atUtc, weekly on Mondays, monthly on the 1st, or off.',
  })
  @ApiResult(200, 'The schedule now in force', SCHEDULE_SCHEMA)
  @ApiProblems({ 403: ['RELEASES.FORBIDDEN'] })
  async schedule(@Body() dto: ReleaseScheduleDto, @Req() request: FastifyRequest) {
    const principal = this.principals.require(request);
    if (principal.id !== 'secretariat') throw new DomainError('RELEASES.FORBIDDEN', 'only the secretariat sets the release schedule', 'forbidden');
    return writeSchedule(this.pool, { frequency: dto.frequency, atUtc: dto.atUtc, setBy: principal.id });
  }
}
