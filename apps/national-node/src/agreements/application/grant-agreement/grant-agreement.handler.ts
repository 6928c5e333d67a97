import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ID_GENERATOR, IdGenerator } from '../../../infrastructure/tokens';
import { AgreementPipeline } from '../../infrastructure/agreement-pipeline';
import { AgreementRecorded, GrantAgreementCommand } from './grant-agreement.command';

@CommandHandler(GrantAgreementCommand)
export class GrantAgreementHandler implements ICommandHandler<GrantAgreementCommand, AgreementRecorded> {
  constructor(
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    private readonly agreements: AgreementPipeline,
  ) {}

  async execute({ terms, provider }: GrantAgreementCommand): Promise<AgreementRecorded> {
    // A new id opens a new stream.
    const agreementId = this.newId();
    const { decision, event } = await this.agreements.handle({ type: 'GrantAgreement', agreementId, terms, provider });
    return { agreementId, eventId: event.eventId, status: 'active', version: decision.streamVersion };
  }
}
