import { Query } from '@nestjs/cqrs';
import type { ReferralSummary, ReferralSummaryQuery } from '../../answers/referral-summary';

export class QueryReferralSummary extends Query<ReferralSummary> {
  constructor(
    readonly query: ReferralSummaryQuery,
    /** `secretariat`, `state:XX` or `org:NAME`: the agreements decide what it sees. */
    readonly principal: string,
  ) {
    super();
  }
}
