import { referralStreamId } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig, referralsTopic } from '../../../config/node.config';
import { CommandPipeline } from '../../../infrastructure/command-pipeline';
import { referralDecider, ReferralError, TRANSITIONS } from '../../domain/referral.decider';
import { ChangeReferral, ReferralChangeResult } from './change-referral.command';

/** One lifecycle step through the command pipeline: a step that loses a race on the referral's
 * stream is decided again on the new state, where it may still make sense (acknowledge, then
 * accept) or be refused (accept against decline). */
@CommandHandler(ChangeReferral)
export class ChangeReferralHandler implements ICommandHandler<ChangeReferral, ReferralChangeResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ command }: ChangeReferral): Promise<ReferralChangeResult> {
    const { state, decision, event } = await this.pipeline.handle(
      referralDecider,
      {
        streamId: referralStreamId(command.referralId),
        topic: referralsTopic(this.config),
        conflict: () => ReferralError.concurrentChange(command.referralId),
      },
      command,
    );
    const status = TRANSITIONS[state.status === 'none' ? 'made' : state.status][command.type]!;
    return { referralId: command.referralId, eventId: event.eventId, type: decision.type, status, streamVersion: decision.streamVersion };
  }
}
