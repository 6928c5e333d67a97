import { Command } from '@nestjs/cqrs';
import type { AgreementRecorded } from '../grant-agreement/grant-agreement.command';

export class RevokeAgreementCommand extends Command<AgreementRecorded> {
  constructor(
    readonly agreementId: string,
    readonly reason: string,
  ) {
    super();
  }
}
