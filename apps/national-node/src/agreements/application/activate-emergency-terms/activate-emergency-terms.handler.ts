import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgreementPipeline } from '../../infrastructure/agreement-pipeline';
import { ActivateEmergencyTermsCommand, EmergencyTermsActivatedResult } from './activate-emergency-terms.command';

@CommandHandler(ActivateEmergencyTermsCommand)
export class ActivateEmergencyTermsHandler implements ICommandHandler<ActivateEmergencyTermsCommand, EmergencyTermsActivatedResult> {
  constructor(private readonly agreements: AgreementPipeline) {}

  async execute({ agreementId, emergencyId, reason }: ActivateEmergencyTermsCommand): Promise<EmergencyTermsActivatedResult> {
    const { decision, event } = await this.agreements.handle({ type: 'ActivateEmergencyTerms', agreementId, emergencyId, reason });
    return { agreementId, eventId: event.eventId, status: 'active', version: decision.streamVersion, emergencyId };
  }
}
