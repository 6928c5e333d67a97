import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide } from '../../domain/agreement.decider';
import { PgAgreementStreams } from '../../infrastructure/pg-agreement-streams';
import type { AgreementRecorded } from '../grant-agreement/grant-agreement.command';
import { RevokeAgreementCommand } from './revoke-agreement.command';

@CommandHandler(RevokeAgreementCommand)
export class RevokeAgreementHandler implements ICommandHandler<RevokeAgreementCommand, AgreementRecorded> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly streams: PgAgreementStreams,
  ) {}

  async execute({ agreementId, reason }: RevokeAgreementCommand): Promise<AgreementRecorded> {
    const { state } = await this.streams.load(agreementId);
    const now = this.clock.now();
    const decision = decide({ type: 'RevokeAgreement', agreementId, reason }, state, { nodeState: this.config.NODE_STATE, now });
    const eventId = await this.streams.record(agreementId, decision, now);
    return { agreementId, eventId, status: 'revoked', version: decision.streamVersion };
  }
}
