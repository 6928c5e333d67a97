import { Module } from '@nestjs/common';
import { MovementsController } from './api/movements.controller';
import { RecordMovementsHandler } from './application/record-movements/record-movements.handler';
import { RetractMovementHandler } from './application/retract-movement/retract-movement.handler';

@Module({
  controllers: [MovementsController],
  providers: [RecordMovementsHandler, RetractMovementHandler],
})
export class MovementsModule {}
