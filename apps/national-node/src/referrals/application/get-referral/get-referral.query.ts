import { Query } from '@nestjs/cqrs';
import type { ReferralView } from './get-referral.handler';

export class GetReferral extends Query<ReferralView> {
  constructor(readonly referralId: string) {
    super();
  }
}
