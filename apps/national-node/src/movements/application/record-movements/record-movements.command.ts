import { Command } from '@nestjs/cqrs';
import type { RawMovement } from '../../domain/raw-movement';

export type RecordStatus = 'accepted' | 'duplicate';

export interface RecordResult {
  recordId: string;
  eventId: string;
  status: RecordStatus;
}

export class RecordMovements extends Command<RecordResult[]> {
  constructor(readonly records: RawMovement[]) {
    super();
  }
}
