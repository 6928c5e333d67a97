import type { AgreementTerms } from '@caravanserai/contracts';
import { Command } from '@nestjs/cqrs';

export interface AgreementRecorded {
  agreementId: string;
  /** The event that recorded the decision. */
  eventId: string;
  status: 'active' | 'revoked';
  /** The agreement's stream version after the decision. */
  version: number;
}

export class GrantAgreementCommand extends Command<AgreementRecorded> {
  constructor(
    readonly terms: AgreementTerms,
    /** The provider the caller named, if any. */
    readonly provider?: string,
  ) {
    super();
  }
}
