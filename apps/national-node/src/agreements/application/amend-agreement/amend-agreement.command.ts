import type { AgreementTerms } from '@caravanserai/contracts';
import { Command } from '@nestjs/cqrs';
import type { AgreementRecorded } from '../grant-agreement/grant-agreement.command';

export interface AgreementAmendedResult extends AgreementRecorded {
  /** The terms that changed, as recorded (a term given with its current value is left out). */
  changes: Partial<AgreementTerms>;
}

export class AmendAgreementCommand extends Command<AgreementAmendedResult> {
  constructor(
    readonly agreementId: string,
    readonly changes: Partial<AgreementTerms>,
  ) {
    super();
  }
}
