import { Query } from '@nestjs/cqrs';
import type { ReferralSummary, ReferralSummaryQuery } from '../../domain/referral-summary';

export class QueryReferralSummary extends Query<ReferralSummary> {
  constructor(readonly query: ReferralSummaryQuery) {
    super();
  }
}
