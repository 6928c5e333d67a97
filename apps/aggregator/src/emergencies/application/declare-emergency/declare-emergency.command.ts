import { Command } from '@nestjs/cqrs';
import type { EmergencyView } from '../../domain/emergency-view';

export class DeclareEmergencyCommand extends Command<EmergencyView> {
  constructor(
    readonly principal: string,
    readonly routes: string[],
    readonly borderCrossingPoints: string[],
    readonly days: number,
    readonly reason: string,
  ) {
    super();
  }
}
