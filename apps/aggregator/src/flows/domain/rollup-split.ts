import { addDays, firstWholePeriodStart, lastWholePeriodEnd } from '../../disclosure/domain/policy';

/** The periods the released snapshot is also kept summed by (released_flow_counts_week, _month). */
export type Rollup = 'week' | 'month';

/** Days first … last, both included, YYYY-MM-DD. */
export interface DayRange {
  first: string;
  last: string;
}

/** A range of days as whole periods of a rollup (from the first day of the first to the last day of
 * the last) and the days before and after them that no whole period covers. */
export interface RollupSplit {
  whole: DayRange | null;
  edges: DayRange[];
}

/** The rollup whose periods nest in the answer's: weeks for weeks, months for months and years. */
export function rollupFor(granularity: 'day' | 'week' | 'month' | 'year'): Rollup | null {
  return granularity === 'day' ? null : granularity === 'week' ? 'week' : 'month';
}

/**
 * Splits the days [first, last] into the whole periods of `rollup` that lie inside it and the days
 * left at either end: the rollup rows of the whole periods plus the day rows of the edges sum to the
 * day rows of the range, and nothing is read twice. An empty range (first after last) splits into nothing.
 */
export function splitRange(first: string, last: string, rollup: Rollup): RollupSplit {
  if (first > last) return { whole: null, edges: [] };
  const wholeFirst = firstWholePeriodStart(first, rollup);
  const wholeLast = lastWholePeriodEnd(last, rollup);
  // No period fits: every day of the range is an edge day.
  if (wholeFirst > wholeLast) return { whole: null, edges: [{ first, last }] };
  const edges: DayRange[] = [];
  if (first < wholeFirst) edges.push({ first, last: addDays(wholeFirst, -1) });
  if (wholeLast < last) edges.push({ first: addDays(wholeLast, 1), last });
  return { whole: { first: wholeFirst, last: wholeLast }, edges };
}
