import { localDateOf, referralStreamId } from '@caravanserai/contracts';
import { OutboxForwarder, PgEventStore } from '@caravanserai/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig, referralsTopic } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide, evolve, initialReferralState, ReferralError, TRANSITIONS } from '../../domain/referral.decider';
import { ChangeReferral, ReferralChangeResult } from './change-referral.command';

/** How often a command is decided again after losing a race on the stream version. */
const ATTEMPTS = 3;

/**
 * Loads the referral's stream, folds it, decides, and appends at the next version. Two commands
 * racing on one referral both read version n; the append of one fails on the unique stream
 * position, and that one is decided again on the new state: it then either still makes sense
 * (acknowledge, then accept) and is appended, or is refused as an illegal transition (accept
 * against decline). The loser never overwrites the winner.
 */
@CommandHandler(ChangeReferral)
export class ChangeReferralHandler implements ICommandHandler<ChangeReferral, ReferralChangeResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async execute({ command }: ChangeReferral): Promise<ReferralChangeResult> {
    const streamId = referralStreamId(command.referralId);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const state = (await this.store.readStream(streamId)).reduce(evolve, initialReferralState);
      const now = this.clock.now();
      const decision = decide(command, state, now);
      const eventId = this.ids.forDecision(streamId, decision.streamVersion, decision.type, decision.data);
      const appended = await this.store.appendAlone(
        {
          eventId,
          type: decision.type,
          schemaVersion: 1,
          provider: this.config.NODE_STATE,
          streamId,
          streamVersion: decision.streamVersion,
          occurredOn: localDateOf(command.at),
          recordedAt: now.toISOString(),
          data: decision.data,
        },
        referralsTopic(this.config),
      );
      // Another decision took the stream's next position: read it again and decide anew.
      if (!appended) continue;
      this.forwarder.notify();
      const status = TRANSITIONS[state.status === 'none' ? 'made' : state.status][command.type]!;
      return { referralId: command.referralId, eventId, type: decision.type, status, streamVersion: decision.streamVersion };
    }
    throw ReferralError.concurrentChange(command.referralId);
  }
}
