import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { Clock, CLOCK, ID_GENERATOR, IdGenerator } from '../../../infrastructure/tokens';
import { decide, initialAgreementState } from '../../domain/agreement.decider';
import { PgAgreementStreams } from '../../infrastructure/pg-agreement-streams';
import { AgreementRecorded, GrantAgreementCommand } from './grant-agreement.command';

@CommandHandler(GrantAgreementCommand)
export class GrantAgreementHandler implements ICommandHandler<GrantAgreementCommand, AgreementRecorded> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    private readonly streams: PgAgreementStreams,
  ) {}

  async execute({ terms, provider }: GrantAgreementCommand): Promise<AgreementRecorded> {
    // A new id opens a new stream: there is no history to load.
    const agreementId = this.newId();
    const now = this.clock.now();
    const decision = decide({ type: 'GrantAgreement', agreementId, terms, provider }, initialAgreementState, {
      nodeState: this.config.NODE_STATE,
      now,
    });
    const eventId = await this.streams.record(agreementId, decision, now);
    return { agreementId, eventId, status: 'active', version: decision.streamVersion };
  }
}
