import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgreementPipeline } from '../../infrastructure/agreement-pipeline';
import type { AgreementRecorded } from '../grant-agreement/grant-agreement.command';
import { RevokeAgreementCommand } from './revoke-agreement.command';

@CommandHandler(RevokeAgreementCommand)
export class RevokeAgreementHandler implements ICommandHandler<RevokeAgreementCommand, AgreementRecorded> {
  constructor(private readonly agreements: AgreementPipeline) {}

  async execute({ agreementId, reason }: RevokeAgreementCommand): Promise<AgreementRecorded> {
    const { decision, event } = await this.agreements.handle({ type: 'RevokeAgreement', agreementId, reason });
    return { agreementId, eventId: event.eventId, status: 'revoked', version: decision.streamVersion };
  }
}
