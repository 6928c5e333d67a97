/** The referral summary as published (GET /v1/referrals/summary): see answers/flow-answer.ts. */
import type { ReferralStatus } from '@caravanserai/contracts';
import type { DisclosureReport, ReleaseRef } from '../disclosure/domain/disclosure-report';
import type { Granularity } from './flow-answer';

/** What a referral summary may group by. `needs` counts a referral once under each of its
 * specific needs (`none` when it has none), so rows grouped by needs do not add up to the total. */
export const REFERRAL_DIMENSIONS = ['provider', 'category', 'referredTo', 'status', 'needs'] as const;
export type ReferralDimension = (typeof REFERRAL_DIMENSIONS)[number];

/** The name under which an agreement allows each dimension. */
export const GRANT_DIMENSION: Record<ReferralDimension, string> = {
  provider: 'provider',
  category: 'category',
  referredTo: 'referredTo',
  status: 'status',
  needs: 'specificNeeds',
};

export interface ReferralSummaryQuery {
  from: string;
  to: string;
  granularity: Granularity;
  groupBy: ReferralDimension[];
  providers?: string[];
  categories?: string[];
  referredTo?: string[];
  /** A referral still waiting for an answer (made or acknowledged) this long after it was made is stalled. */
  stalledAfterHours: number;
}

/** Hours from the referral to a step: how many got there (published like every count), the median
 * and the 90th percentile (continuous: linear interpolation between neighbouring values, as
 * PostgreSQL's percentile_cont), in hours rounded to one decimal, over the referrals of the
 * providers whose part of `count` may be shown (exact, or published at k + 1 or more); null when
 * no provider's part may. */
export interface Duration {
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface ReferralFigures {
  referrals: number;
  byStatus: Record<ReferralStatus, number>;
  /** Referrals ever accepted or declined (accepted ones may since be closed). */
  accepted: number;
  declined: number;
  /** accepted / (accepted + declined); null when none was answered yet. */
  acceptanceRate: number | null;
  toAcceptance: Duration;
  toClosure: Duration;
  stalled: number;
}

/** A row of the answer, as published (see the answer's `disclosure.method`); a row whose
 * published `referrals` is 0 is not listed. */
export type ReferralSummaryRow = { period: string } & Partial<Record<ReferralDimension, string>> & ReferralFigures;

export interface ReferralSummary {
  query: ReferralSummaryQuery;
  /** The release the figures come from; null before the first one (then there are no figures). */
  release: ReleaseRef | null;
  /** The moment stalled referrals are counted at: the release's cut (null without a release). */
  asOf: string | null;
  rows: ReferralSummaryRow[];
  /** Over the whole period, each referral once whatever the grouping (a referral with two needs
   * counts twice when grouped by needs, once here); figures of their own, so rows need not add up to them. */
  totals: ReferralFigures;
  granularity: Granularity;
  from: string;
  to: string;
  disclosure: DisclosureReport;
  /** The caller's own state's referrals whose ReferralMade has not arrived yet (an event overtook
   * it), counted live; not in the figures. Other states' are not counted (a live count would show
   * arrivals between releases). */
  awaitingReferralMade: number;
}
