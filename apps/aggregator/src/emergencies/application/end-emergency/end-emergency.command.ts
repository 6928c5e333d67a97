import { Command } from '@nestjs/cqrs';
import type { EmergencyView } from '../../domain/emergency-view';

export class EndEmergencyCommand extends Command<EmergencyView> {
  constructor(
    readonly principal: string,
    readonly emergencyId: string,
    readonly reason: string,
  ) {
    super();
  }
}
