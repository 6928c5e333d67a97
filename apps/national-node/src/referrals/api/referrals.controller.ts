import { Allow, ApiProblems, ApiResult } from '@caravanserai/platform';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, CLOCK } from '../../infrastructure/tokens';
import { ChangeReferral } from '../application/change-referral/change-referral.command';
import { GetReferral } from '../application/get-referral/get-referral.query';
import { RecordReferrals } from '../application/record-referrals/record-referrals.command';
import type { ReferralCommand } from '../domain/referral.decider';
import { ClosureDto, DeclineDto, LifecycleDto, ReferralBatchDto } from './raw-referral.dto';
import { REFERRAL_BATCH_RESULT, REFERRAL_CHANGE, REFERRAL_VIEW } from '../../api-schemas';

@ApiTags('referrals')
@Allow('ingest')
@Controller('v1/referrals')
export class ReferralsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'recordReferrals',
    summary: 'Record a batch of up to 5,000 referrals (ReferralMade)',
    description:
      'Validated as a whole: one invalid record and nothing is stored (422, every error by record index and field). ' +
      'Records are anonymised in memory before anything is written. Idempotent by recordId: a record posted again ' +
      'answers the referralId it got the first time.',
  })
  @ApiResult(200, 'Every record: accepted or a duplicate, with its referral id', REFERRAL_BATCH_RESULT)
  async record(@Body() batch: ReferralBatchDto) {
    const results = await this.commands.execute(new RecordReferrals(batch.records));
    const accepted = results.filter((r) => r.status === 'accepted').length;
    return { accepted, duplicates: results.length - accepted, results };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getReferral', summary: 'A referral: its current status, the commands it allows, and its history' })
  @ApiResult(200, 'The referral', REFERRAL_VIEW)
  @ApiProblems({ 404: ['REFERRAL.NOT_FOUND'] })
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queries.execute(new GetReferral(id.toLowerCase()));
  }

  @Post(':id/acknowledgement')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'acknowledgeReferral',
    summary: 'The receiving authority has the referral (ReferralAcknowledged); 409 if the referral is past that',
  })
  @ApiResult(201, 'The step recorded', REFERRAL_CHANGE)
  @ApiProblems({
    404: ['REFERRAL.NOT_FOUND'],
    409: ['REFERRAL.ILLEGAL_TRANSITION', 'REFERRAL.CONCURRENT_CHANGE'],
    422: ['REFERRAL.TIME_BEFORE_PREVIOUS', 'REFERRAL.TIME_IN_FUTURE'],
  })
  acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: LifecycleDto) {
    return this.change({ type: 'AcknowledgeReferral', referralId: id.toLowerCase(), at: this.at(body) });
  }

  @Post(':id/acceptance')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'acceptReferral',
    summary: 'The authority takes the case on (ReferralAccepted); 409 unless the referral is made or acknowledged',
  })
  @ApiResult(201, 'The step recorded', REFERRAL_CHANGE)
  @ApiProblems({
    404: ['REFERRAL.NOT_FOUND'],
    409: ['REFERRAL.ILLEGAL_TRANSITION', 'REFERRAL.CONCURRENT_CHANGE'],
    422: ['REFERRAL.TIME_BEFORE_PREVIOUS', 'REFERRAL.TIME_IN_FUTURE'],
  })
  accept(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: LifecycleDto) {
    return this.change({ type: 'AcceptReferral', referralId: id.toLowerCase(), at: this.at(body) });
  }

  @Post(':id/decline')
  @HttpCode(201)
  @ApiOperation({ operationId: 'declineReferral', summary: 'The authority declines, with a reason (ReferralDeclined, final); 409 unless made or acknowledged' })
  @ApiResult(201, 'The step recorded', REFERRAL_CHANGE)
  @ApiProblems({
    404: ['REFERRAL.NOT_FOUND'],
    409: ['REFERRAL.ILLEGAL_TRANSITION', 'REFERRAL.CONCURRENT_CHANGE'],
    422: ['REFERRAL.TIME_BEFORE_PREVIOUS', 'REFERRAL.TIME_IN_FUTURE'],
  })
  decline(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: DeclineDto) {
    return this.change({ type: 'DeclineReferral', referralId: id.toLowerCase(), at: this.at(body), reason: body.reason });
  }

  @Post(':id/closure')
  @HttpCode(201)
  @ApiOperation({ operationId: 'closeReferral', summary: 'The referral ends, with an outcome (ReferralClosed, final); 409 if declined or closed already' })
  @ApiResult(201, 'The step recorded', REFERRAL_CHANGE)
  @ApiProblems({
    404: ['REFERRAL.NOT_FOUND'],
    409: ['REFERRAL.ILLEGAL_TRANSITION', 'REFERRAL.CONCURRENT_CHANGE'],
    422: ['REFERRAL.TIME_BEFORE_PREVIOUS', 'REFERRAL.TIME_IN_FUTURE'],
  })
  close(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ClosureDto) {
    return this.change({ type: 'CloseReferral', referralId: id.toLowerCase(), at: this.at(body), outcome: body.outcome });
  }

  private at(body: LifecycleDto): string {
    return body.at ?? this.clock.now().toISOString();
  }

  private change(command: ReferralCommand) {
    return this.commands.execute(new ChangeReferral(command));
  }
}
