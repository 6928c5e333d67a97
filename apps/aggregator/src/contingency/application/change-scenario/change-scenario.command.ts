import { Command } from '@nestjs/cqrs';
import type { ScenarioCommand, ScenarioView } from '../../domain/scenario';

/** Sets or withdraws a contingency scenario, as `recordedBy` (the secretariat). */
export class ChangeScenario extends Command<ScenarioView> {
  constructor(
    readonly command: ScenarioCommand,
    readonly recordedBy: string,
  ) {
    super();
  }
}
