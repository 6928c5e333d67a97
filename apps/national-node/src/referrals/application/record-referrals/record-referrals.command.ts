import { Command } from '@nestjs/cqrs';
import type { RawReferral } from '../../domain/raw-referral';

export interface ReferralRecordResult {
  recordId: string;
  referralId: string;
  status: 'accepted' | 'duplicate';
}

export class RecordReferrals extends Command<ReferralRecordResult[]> {
  constructor(readonly records: RawReferral[]) {
    super();
  }
}
