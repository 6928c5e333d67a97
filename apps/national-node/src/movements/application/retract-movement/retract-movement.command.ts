import type { RetractionReason } from '@caravanserai/contracts';
import { Command } from '@nestjs/cqrs';

export interface RetractionResult {
  movementEventId: string;
  eventId: string;
  status: 'retracted';
}

export class RetractMovementCommand extends Command<RetractionResult> {
  constructor(
    readonly movementEventId: string,
    readonly reason: RetractionReason,
  ) {
    super();
  }
}
