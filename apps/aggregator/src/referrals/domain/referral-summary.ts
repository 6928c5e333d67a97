import type { ReferralStatus } from '@caravanserai/contracts';
import type { DisclosureReport, Granularity } from '../../flows/domain/flow-query';

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
  /** The moment stalled referrals are counted at (ISO timestamp). */
  asOf: string;
}

/** Hours from the referral to a step: how many got there, the median and the 90th percentile
 * (continuous: linear interpolation between neighbouring values, as PostgreSQL's percentile_cont). */
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

/** A row's figures are all null when disclosure control withheld the row (`suppressed` says why). */
export type ReferralSummaryRow = { period: string; suppressed?: string } & Partial<Record<ReferralDimension, string>> & Nullable<ReferralFigures>;
type Nullable<T> = { [K in keyof T]: T[K] | null };

export interface ReferralSummary {
  query: ReferralSummaryQuery;
  rows: ReferralSummaryRow[];
  /** Over the whole period and every referral once, whatever the grouping; withheld (null) when
   * disclosure control requires it. */
  totals: Nullable<ReferralFigures> & { suppressed?: string };
  granularity: Granularity;
  from: string;
  to: string;
  disclosure: DisclosureReport;
  /** Referrals in the log whose ReferralMade has not arrived yet (an event overtook it); not in the figures. */
  awaitingReferralMade: number;
}

/** The same percentile as PostgreSQL's percentile_cont, for tests and clients to check against. */
export function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
