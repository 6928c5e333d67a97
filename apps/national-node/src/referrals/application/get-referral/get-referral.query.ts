import type { ReferralMadeData, ReferralStatus } from '@caravanserai/contracts';
import { Query } from '@nestjs/cqrs';
import type { ReferralCommandType } from '../../domain/referral.decider';

export interface ReferralView {
  referralId: string;
  provider: string;
  status: ReferralStatus;
  version: number;
  allowedCommands: ReferralCommandType[];
  referral: ReferralMadeData;
  acknowledgedAt: string | null;
  acceptedAt: string | null;
  declined: { at: string; reason: string } | null;
  closed: { at: string; outcome: string } | null;
  history: { eventId: string; type: string; streamVersion: number; occurredOn: string; recordedAt: string; data: unknown }[];
}

export class GetReferral extends Query<ReferralView> {
  constructor(readonly referralId: string) {
    super();
  }
}
