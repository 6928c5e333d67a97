import { REFERRAL_STATUSES } from '@caravanserai/contracts';
import type { DisclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import type { FlowAnswer, Granularity } from '../../flow-answer';
import { parseRoute } from '../../flow-answer';
import type { ReferralSummary, ReferralSummaryRow } from '../../referral-summary';

/**
 * One neutral shape for both answers, which every exchange format writes: observations in long
 * form (one per row and measure), each with the flags of SDMX's cross-domain code lists.
 *
 * The flags say how a figure was published, never how large its truth was. They are a function of
 * the answer's disclosure block (which providers are exact, which protected) and of the
 * observation's own dimension values and published value only — never of a count behind it: a
 * flag like "this cell was small" would disclose exactly what the cell-key method hides
 * (test/attack/format-flags.spec.ts holds that).
 */
export type Dataset = 'flows' | 'referrals';

/** OBS_STATUS (SDMX CL_OBS_STATUS): A normal, E estimated (published through the cell-key
 * method), O missing (nothing to compute), Q missing, suppressed. CONF_STATUS (SDMX
 * CL_CONF_STATUS): F free for publication, C confidential (withheld, no number). */
export type ObsStatus = 'A' | 'E' | 'O' | 'Q';
export type ConfStatus = 'F' | 'C';
export interface Flags {
  obsStatus: ObsStatus;
  confStatus: ConfStatus;
}

export interface Observation {
  period: string;
  /** The answer's own codes, by its group-by names (route, provider, category, …). */
  dims: Record<string, string>;
  measure: string;
  value: number | null;
  flags: Flags;
}

export interface StatTable {
  dataset: Dataset;
  granularity: Granularity;
  from: string;
  to: string;
  dimensions: string[];
  measures: string[];
  observations: Observation[];
  disclosure: DisclosureReport;
  release: ReleaseRef | null;
}

/** The providers a row's figure is built from, as the row itself says: its provider (or the
 * provider in its route), else every provider the answer covers. */
export function rowProviders(disclosure: DisclosureReport, dims: Record<string, string | undefined>): string[] {
  if (dims.provider) return [dims.provider];
  const route = dims.route ? parseRoute(dims.route) : null;
  if (route) return [route[1]];
  return [...disclosure.method.exact, ...disclosure.method.protected.map((p) => p.provider)];
}

/** The flags of one published value (see the file's comment for what they may depend on). */
export function flagsOf(disclosure: DisclosureReport, dims: Record<string, string | undefined>, value: number | null): Flags {
  const exact = new Set(disclosure.method.exact);
  const protectedPart = rowProviders(disclosure, dims).some((p) => !exact.has(p));
  if (value === null) return protectedPart ? { obsStatus: 'Q', confStatus: 'C' } : { obsStatus: 'O', confStatus: 'F' };
  return { obsStatus: protectedPart ? 'E' : 'A', confStatus: 'F' };
}

export const FLOW_MEASURES = ['MOVEMENTS'] as const;

/** The figures of a referral summary row, as measures (ids valid in SDMX). */
export const REFERRAL_MEASURES: [string, (r: ReferralSummaryRow) => number | null][] = [
  ['REFERRALS', (r) => r.referrals],
  ...REFERRAL_STATUSES.map((s) => [`STATUS_${s.toUpperCase()}`, (r: ReferralSummaryRow) => r.byStatus[s]] as [string, (r: ReferralSummaryRow) => number]),
  ['ACCEPTED_EVER', (r) => r.accepted],
  ['DECLINED_EVER', (r) => r.declined],
  ['ACCEPTANCE_RATE', (r) => r.acceptanceRate],
  ['HOURS_TO_ACCEPTANCE_MEDIAN', (r) => r.toAcceptance.medianHours],
  ['HOURS_TO_ACCEPTANCE_P90', (r) => r.toAcceptance.p90Hours],
  ['REACHED_CLOSURE', (r) => r.toClosure.count],
  ['HOURS_TO_CLOSURE_MEDIAN', (r) => r.toClosure.medianHours],
  ['HOURS_TO_CLOSURE_P90', (r) => r.toClosure.p90Hours],
  ['STALLED', (r) => r.stalled],
];

const dimsOf = (row: object, names: string[]) => Object.fromEntries(names.map((n) => [n, String((row as Record<string, unknown>)[n])]));

export function flowsTable(answer: FlowAnswer): StatTable {
  const dimensions = answer.query.groupBy;
  return {
    dataset: 'flows',
    granularity: answer.granularity,
    from: answer.from,
    to: answer.to,
    dimensions,
    measures: [...FLOW_MEASURES],
    release: answer.release,
    disclosure: answer.disclosure,
    observations: answer.rows.map((row) => {
      const dims = dimsOf(row, dimensions);
      return { period: row.period, dims, measure: 'MOVEMENTS', value: row.count, flags: flagsOf(answer.disclosure, dims, row.count) };
    }),
  };
}

export function referralsTable(answer: ReferralSummary): StatTable {
  const dimensions = answer.query.groupBy;
  return {
    dataset: 'referrals',
    granularity: answer.granularity,
    from: answer.from,
    to: answer.to,
    dimensions,
    measures: REFERRAL_MEASURES.map(([m]) => m),
    release: answer.release,
    disclosure: answer.disclosure,
    observations: answer.rows.flatMap((row) => {
      const dims = dimsOf(row, dimensions);
      return REFERRAL_MEASURES.map(([measure, get]) => {
        const value = get(row);
        return { period: row.period, dims, measure, value, flags: flagsOf(answer.disclosure, dims, value) };
      });
    }),
  };
}

/** The first and last day of a period as the answers label it (2026, 2026-03, 2026-W10, 2026-03-04). */
export function periodBounds(period: string): { start: string; end: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  if (/^\d{4}$/.test(period)) return { start: `${period}-01-01`, end: `${period}-12-31` };
  if (/^\d{4}-\d{2}$/.test(period)) {
    const [y, m] = period.split('-').map(Number);
    return { start: `${period}-01`, end: day(new Date(Date.UTC(y, m, 0))) };
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) {
    // ISO week 1 holds 4 January; weeks start on Monday.
    const jan4 = new Date(Date.UTC(Number(week[1]), 0, 4));
    const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000 + (Number(week[2]) - 1) * 7 * 86_400_000);
    return { start: day(monday), end: day(new Date(monday.getTime() + 6 * 86_400_000)) };
  }
  return { start: period, end: period };
}
