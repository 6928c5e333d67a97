import { AGREEMENT_AMENDED } from '@caravanserai/contracts';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgreementPipeline } from '../../infrastructure/agreement-pipeline';
import { AgreementAmendedResult, AmendAgreementCommand } from './amend-agreement.command';

@CommandHandler(AmendAgreementCommand)
export class AmendAgreementHandler implements ICommandHandler<AmendAgreementCommand, AgreementAmendedResult> {
  constructor(private readonly agreements: AgreementPipeline) {}

  async execute({ agreementId, changes }: AmendAgreementCommand): Promise<AgreementAmendedResult> {
    const { decision, event } = await this.agreements.handle({ type: 'AmendAgreement', agreementId, changes });
    if (decision.type !== AGREEMENT_AMENDED) throw new Error(`an amendment decided ${decision.type}`);
    return { agreementId, eventId: event.eventId, status: 'active', version: decision.streamVersion, changes: decision.data.changes };
  }
}
