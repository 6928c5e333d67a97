import { Command } from '@nestjs/cqrs';
import type { AgreementRecorded } from '../grant-agreement/grant-agreement.command';

export interface EmergencyTermsActivatedResult extends AgreementRecorded {
  emergencyId: string;
}

export class ActivateEmergencyTermsCommand extends Command<EmergencyTermsActivatedResult> {
  constructor(
    readonly agreementId: string,
    readonly emergencyId: string,
    readonly reason: string,
  ) {
    super();
  }
}
