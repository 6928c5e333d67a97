import type { ReferralStatus } from '@caravanserai/contracts';
import { Command } from '@nestjs/cqrs';
import type { ReferralCommand } from '../../domain/referral.decider';

export interface ReferralChangeResult {
  referralId: string;
  eventId: string;
  type: string;
  status: ReferralStatus;
  streamVersion: number;
}

/** One lifecycle command (acknowledge, accept, decline, close) on one referral. */
export class ChangeReferral extends Command<ReferralChangeResult> {
  constructor(readonly command: ReferralCommand) {
    super();
  }
}
