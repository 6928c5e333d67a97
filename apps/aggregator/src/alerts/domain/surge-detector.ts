import { SEVERITIES, type Severity } from '../../answers/alert';
import { addKeys } from '../../disclosure/domain/cell-key';

/**
 * Surge detection on one daily series (pure). The series is the last 35 days up to the reference
 * day, oldest first: the first 28 are the baseline, the last 7 the recent window. Both are read in
 * whole weeks aligned on the reference day, so a weekday pattern (quiet Fridays) cancels out.
 *
 * The baseline is the mean of the baseline weeks that are not abnormal: a week below half or above
 * twice the median week (a holiday dip, a closure, an earlier surge) is left out, so one such week
 * does not move the baseline, while on usual weeks the mean is steadier than the median (fewer
 * false alarms from noise). The recent week is compared with it
 * twice: as a ratio (how large the change is) and as a score in units of the series' own noise
 * (whether the change is larger than the week-to-week swings the series already shows: the
 * larger of a Poisson sd, √baseline, and the median absolute deviation of the four weeks). A
 * minimum volume keeps small numbers (2 → 6) from raising anything. docs/alerts.md gives the
 * comparison with the plain 7-days-against-28-days mean on planted series.
 */

export { SEVERITIES };
export type { Severity };

export const RECENT_DAYS = 7;
export const BASELINE_DAYS = 28;
export const SERIES_DAYS = RECENT_DAYS + BASELINE_DAYS;

export interface SurgeThresholds {
  /** Fewest movements in the recent week for any alert. */
  minVolume: number;
  /** Per severity: the least ratio (recent / baseline week) and least score. */
  levels: Record<Severity, { ratio: number; score: number }>;
  /** An active alert subsides when the ratio falls below this, the score below `clearScore`, or
   * the volume below `minVolume` (lower than the elevated thresholds, so an alert does not flap). */
  clearRatio: number;
  clearScore: number;
}

export const DEFAULT_THRESHOLDS: SurgeThresholds = {
  minVolume: 30,
  levels: {
    elevated: { ratio: 1.5, score: 3 },
    high: { ratio: 2, score: 5 },
    critical: { ratio: 3, score: 8 },
  },
  clearRatio: 1.25,
  clearScore: 2,
};

export interface Assessment {
  recent: number;
  /** The four baseline week sums, oldest first (kept so that each can be published on its own). */
  baselineWeeks: number[];
  /** The baseline: movements in a usual week (mean of the baseline weeks that are not abnormal). */
  expectedWeekly: number;
  ratio: number;
  score: number;
  /** null: no surge by the detection thresholds. */
  severity: Severity | null;
  /** Whether an alert already raised may stay active (the looser clearing thresholds). */
  sustained: boolean;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The four baseline week sums, oldest first. */
export function baselineWeeks(daily: number[]): number[] {
  if (daily.length !== SERIES_DAYS) throw new Error(`a series has ${SERIES_DAYS} days, got ${daily.length}`);
  return [0, 1, 2, 3].map((w) => sum(daily.slice(w * 7, w * 7 + 7)));
}

/** Mean of the weeks within [½, 2] × the median week (the median itself is always within). */
export function usualWeek(weeks: number[]): number {
  const m = median(weeks);
  const usual = weeks.filter((w) => w >= m / 2 && w <= m * 2);
  return Math.round((sum(usual) / usual.length) * 100) / 100;
}

/**
 * The comparison of a recent week with four baseline weeks: the usual week, the ratio and the
 * score (unrounded). The detector decides on it with exact figures; alert-visibility applies the
 * same formulas to published (perturbed) figures, so what a recipient sees is consistent.
 */
export function compareWeeks(recent: number, weeks: number[]): { expectedWeekly: number; ratio: number; score: number } {
  const expectedWeekly = usualWeek(weeks);
  const mad = median(weeks.map((w) => Math.abs(w - median(weeks))));
  const spread = Math.max(Math.sqrt(expectedWeekly), 1.4826 * mad, 1);
  return { expectedWeekly, ratio: recent / Math.max(expectedWeekly, 1), score: (recent - expectedWeekly) / spread };
}

export function assess(daily: number[], t: SurgeThresholds = DEFAULT_THRESHOLDS): Assessment {
  const weeks = baselineWeeks(daily);
  const recent = sum(daily.slice(BASELINE_DAYS));
  const { expectedWeekly, ratio, score } = compareWeeks(recent, weeks);
  let severity: Severity | null = null;
  if (recent >= t.minVolume) {
    for (const level of SEVERITIES) if (ratio >= t.levels[level].ratio && score >= t.levels[level].score) severity = level;
  }
  const sustained = recent >= t.minVolume && ratio >= t.clearRatio && score >= t.clearScore;
  return { recent, baselineWeeks: weeks, expectedWeekly, ratio: round(ratio), score: round(score), severity, sustained };
}

/** The cell keys of a series' windows (docs/privacy.md): the recent week's and each baseline week's
 * key, the sum of its days' key sums mod 2^32 (additive like the counts). */
export interface WindowKeys {
  recent: number;
  /** Oldest first, like `baselineWeeks`. */
  baseline: number[];
}

export function windowKeys(dailyKeys: number[]): WindowKeys {
  if (dailyKeys.length !== SERIES_DAYS) throw new Error(`a series has ${SERIES_DAYS} days, got ${dailyKeys.length}`);
  const keyOf = (days: number[]) => days.reduce(addKeys, 0);
  return { recent: keyOf(dailyKeys.slice(BASELINE_DAYS)), baseline: [0, 1, 2, 3].map((w) => keyOf(dailyKeys.slice(w * 7, w * 7 + 7))) };
}

/**
 * The plain method the issue names as an example, kept for comparison only (docs/alerts.md):
 * the recent week against the mean week of the 28 days before, with the same minimum volume.
 */
export function assessByMean(daily: number[], t: SurgeThresholds = DEFAULT_THRESHOLDS): Severity | null {
  const recent = sum(daily.slice(BASELINE_DAYS));
  const expected = sum(daily.slice(0, BASELINE_DAYS)) / 4;
  const ratio = recent / Math.max(expected, 1);
  if (recent < t.minVolume) return null;
  let severity: Severity | null = null;
  for (const level of SEVERITIES) if (ratio >= t.levels[level].ratio) severity = level;
  return severity;
}

export const round = (x: number) => Math.round(x * 100) / 100;
