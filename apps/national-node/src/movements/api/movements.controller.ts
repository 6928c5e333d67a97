import { Allow, ApiProblems, ApiResult } from '@caravanserai/platform';
import { RETRACTION_REASONS } from '@caravanserai/contracts';
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { RecordMovements } from '../application/record-movements/record-movements.command';
import { RetractMovementCommand } from '../application/retract-movement/retract-movement.command';
import { MovementBatchDto } from './raw-movement.dto';
import { MOVEMENT_BATCH_RESULT, RETRACTION_RESULT } from '../../api-schemas';

class RetractionDto {
  @ApiProperty({ enum: RETRACTION_REASONS }) @IsIn(RETRACTION_REASONS) reason: (typeof RETRACTION_REASONS)[number];
}

@ApiTags('movements')
@Allow('ingest')
@Controller('v1/movements')
export class MovementsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'recordMovements',
    summary: 'Record a batch of up to 5,000 border crossings',
    description:
      'Validated as a whole: one invalid record and nothing is stored (422, every error by record index and field). ' +
      'Records are anonymised in memory before anything is written. Idempotent by recordId.',
  })
  @ApiResult(200, 'Every record: accepted or a duplicate, with its event id', MOVEMENT_BATCH_RESULT)
  async record(@Body() batch: MovementBatchDto) {
    const results = await this.commands.execute(new RecordMovements(batch.records));
    const accepted = results.filter((r) => r.status === 'accepted').length;
    return { accepted, duplicates: results.length - accepted, results };
  }

  @Post(':eventId/retraction')
  @HttpCode(201)
  @ApiOperation({ operationId: 'retractMovement', summary: 'Withdraw a recorded movement (MovementRetracted); the regional projections take it back out' })
  @ApiResult(201, 'The retraction recorded', RETRACTION_RESULT)
  @ApiProblems({ 404: ['MOVEMENT.NOT_FOUND'], 409: ['MOVEMENT.ALREADY_RETRACTED', 'MOVEMENT.CONCURRENT_CHANGE'] })
  retract(@Param('eventId', new ParseUUIDPipe()) eventId: string, @Body() body: RetractionDto) {
    return this.commands.execute(new RetractMovementCommand(eventId, body.reason));
  }
}
