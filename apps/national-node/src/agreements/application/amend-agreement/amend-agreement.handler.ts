import { AGREEMENT_AMENDED } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide } from '../../domain/agreement.decider';
import { PgAgreementStreams } from '../../infrastructure/pg-agreement-streams';
import { AgreementAmendedResult, AmendAgreementCommand } from './amend-agreement.command';

@CommandHandler(AmendAgreementCommand)
export class AmendAgreementHandler implements ICommandHandler<AmendAgreementCommand, AgreementAmendedResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly streams: PgAgreementStreams,
  ) {}

  async execute({ agreementId, changes }: AmendAgreementCommand): Promise<AgreementAmendedResult> {
    const { state } = await this.streams.load(agreementId);
    const now = this.clock.now();
    const decision = decide({ type: 'AmendAgreement', agreementId, changes }, state, { nodeState: this.config.NODE_STATE, now });
    if (decision.type !== AGREEMENT_AMENDED) throw new Error(`an amendment decided ${decision.type}`);
    const eventId = await this.streams.record(agreementId, decision, now);
    return { agreementId, eventId, status: 'active', version: decision.streamVersion, changes: decision.data.changes };
  }
}
