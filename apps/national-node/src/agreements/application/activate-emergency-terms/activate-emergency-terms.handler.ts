import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide } from '../../domain/agreement.decider';
import { PgAgreementStreams } from '../../infrastructure/pg-agreement-streams';
import { ActivateEmergencyTermsCommand, EmergencyTermsActivatedResult } from './activate-emergency-terms.command';

@CommandHandler(ActivateEmergencyTermsCommand)
export class ActivateEmergencyTermsHandler implements ICommandHandler<ActivateEmergencyTermsCommand, EmergencyTermsActivatedResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly streams: PgAgreementStreams,
  ) {}

  async execute({ agreementId, emergencyId, reason }: ActivateEmergencyTermsCommand): Promise<EmergencyTermsActivatedResult> {
    const { state } = await this.streams.load(agreementId);
    const now = this.clock.now();
    const decision = decide({ type: 'ActivateEmergencyTerms', agreementId, emergencyId, reason }, state, { nodeState: this.config.NODE_STATE, now });
    const eventId = await this.streams.record(agreementId, decision, now);
    return { agreementId, eventId, status: 'active', version: decision.streamVersion, emergencyId };
  }
}
