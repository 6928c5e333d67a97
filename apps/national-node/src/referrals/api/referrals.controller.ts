import { Allow } from '@caravanserai/platform';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, CLOCK } from '../../infrastructure/tokens';
import { ChangeReferral } from '../application/change-referral/change-referral.command';
import { GetReferral } from '../application/get-referral/get-referral.query';
import { RecordReferrals } from '../application/record-referrals/record-referrals.command';
import type { ReferralCommand } from '../domain/referral.decider';
import { ClosureDto, DeclineDto, LifecycleDto, ReferralBatchDto } from './raw-referral.dto';


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
    summary: 'Record a batch of up to 5,000 referrals (ReferralMade)',
    description:
      'Validated as a whole: one invalid record and nothing is stored (422, every error by record index and field). ' +
      'Records are anonymised in memory before anything is written. Idempotent by recordId: a record posted again ' +
      'answers the referralId it got the first time.',
  })
  async record(@Body() batch: ReferralBatchDto) {
    const results = await this.commands.execute(new RecordReferrals(batch.records));
    const accepted = results.filter((r) => r.status === 'accepted').length;
    return { accepted, duplicates: results.length - accepted, results };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A referral: its current status, the commands it allows, and its history' })
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queries.execute(new GetReferral(id.toLowerCase()));
  }

  @Post(':id/acknowledgement')
  @HttpCode(201)
  @ApiOperation({ summary: 'The receiving authority has the referral (ReferralAcknowledged); 409 if the referral is past that' })
  acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: LifecycleDto) {
    return this.change({ type: 'AcknowledgeReferral', referralId: id.toLowerCase(), at: this.at(body) });
  }

  @Post(':id/acceptance')
  @HttpCode(201)
  @ApiOperation({ summary: 'The authority takes the case on (ReferralAccepted); 409 unless the referral is made or acknowledged' })
  accept(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: LifecycleDto) {
    return this.change({ type: 'AcceptReferral', referralId: id.toLowerCase(), at: this.at(body) });
  }

  @Post(':id/decline')
  @HttpCode(201)
  @ApiOperation({ summary: 'The authority declines, with a reason (ReferralDeclined, final); 409 unless made or acknowledged' })
  decline(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: DeclineDto) {
    return this.change({ type: 'DeclineReferral', referralId: id.toLowerCase(), at: this.at(body), reason: body.reason });
  }

  @Post(':id/closure')
  @HttpCode(201)
  @ApiOperation({ summary: 'The referral ends, with an outcome (ReferralClosed, final); 409 if declined or closed already' })
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
