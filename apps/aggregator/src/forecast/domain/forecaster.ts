import { EtsFit, fit, mean, project } from './ets';

/**
 * The short-term forecast of a route's weekly series (pure): the next weeks with 80% and 95%
 * prediction intervals, and which model answered. docs/forecast.md has the method, its backtest
 * against the naive baselines and what the interval means for a planner.
 *
 * Which model answers depends on how much history there is, never on a guess:
 * - `seasonal`: ETS(A,Ad,A) on ln(1 + count) with a 52-week season, from two full years on, when
 *   its AICc is lower than the damped-trend model's on the same weeks. The 51 seasonal states
 *   count against it: two years of a season disturbed by surges and closures give a noisy
 *   profile, and the backtest (docs/forecast.md) shows such a profile forecasting worse than none;
 * - `damped-trend`: ETS(A,Ad,N) (or A,N,N when the grid finds no trend) from MIN_SMOOTHING weeks;
 * - `naive`: fewer weeks than that: the last week, with a random-walk interval whose spread is
 *   that of the week-to-week changes seen so far, and at least FALLBACK_SIGMA.
 *
 * Intervals: the spread grows with the horizon as the model says (Var(h) = σ²(1 + Σc_j²), ets.ts),
 * but its shape is that of the one-step errors the model actually made, not a normal curve: with
 * EMPIRICAL_MIN or more errors, the interval at step h is the forecast plus the errors' 10% … 90%
 * (2.5% … 97.5%) quantiles times √(1 + Σc_j²). Flows have fat tails (surges), so a normal interval
 * is too wide at 80% and too narrow at 95% — the backtest showed both (docs/forecast.md). With
 * fewer errors the normal quantiles are used. Counts cannot be less variable than a Poisson count,
 * so each bound is at least z·√(1 / (1 + forecast)) from the forecast on the log scale (the delta
 * method): a flat series does not get a zero-width interval.
 *
 * Closures: a zero week where the model expected CLOSURE_MIN or more is a closure, not a swing of
 * the flow; it is left out of the fit (the states run on as forecast), so neither the level nor the
 * noise learns from it. If the last week is a closure, the route is taken to stay closed — nothing
 * in a series says when a closure ends — so the point forecast is 0 and `closed` is true, while the
 * upper bounds stay those of the open route: what would come if it reopened.
 */

export const SEASON = 52;
export const MIN_SMOOTHING = 8;
export const FALLBACK_SIGMA = 0.5;
export const CLOSURE_MIN = 10;
export const EMPIRICAL_MIN = 30;
/** Standard normal quantiles of the central 80% and 95% intervals. */
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;

export type ForecastModel = 'seasonal' | 'damped-trend' | 'naive';

export interface WeekForecast {
  /** Weeks after the last week of the series, from 1. */
  step: number;
  /** The median forecast (rounded to whole movements), never negative. */
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface Forecast {
  model: ForecastModel;
  /** The fitted smoothing constants (null for `naive`). */
  params: { alpha: number; beta: number; phi: number; gamma: number } | null;
  /** Weeks of history the forecast read, and how many of them were taken as closures. */
  historyWeeks: number;
  closureWeeks: number;
  /** The last week was a closure: the point forecast assumes it lasts. */
  closed: boolean;
  weeks: WeekForecast[];
}

export interface ForecastOptions {
  horizon?: number;
  /** The season in weeks (default 52); a test may use a shorter one. */
  season?: number;
}

const back = (x: number): number => Math.max(0, Math.round(Math.expm1(x)));

/** The p-quantile of sorted values, interpolating between neighbours (R's type 7). */
export function quantile(sorted: number[], p: number): number {
  const i = (sorted.length - 1) * p,
    lo = Math.floor(i),
    hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/** The weeks that look like closures, judged one step ahead with a level-only model so that the
 * decision does not depend on the model later chosen. */
function closures(xs: number[]): Set<number> {
  const out = new Set<number>();
  let level = xs[0];
  for (let t = 1; t < xs.length; t++) {
    if (xs[t] === 0 && Math.expm1(level) >= CLOSURE_MIN) {
      out.add(t);
      continue;
    }
    level += 0.5 * (xs[t] - level);
  }
  return out;
}

function naive(xs: number[], skip: Set<number>, h: number): { x: number; variance: number }[] {
  const open = xs.filter((_, t) => !skip.has(t));
  const last = open[open.length - 1] ?? 0;
  const diffs = open.slice(1).map((x, i) => x - open[i]);
  const sd = diffs.length >= 2 ? Math.sqrt(mean(diffs.map((d) => d * d))) : 0;
  const sigma2 = Math.max(sd, FALLBACK_SIGMA) ** 2;
  return Array.from({ length: h }, (_, i) => ({ x: last, variance: sigma2 * (i + 1) }));
}

export function forecastWeekly(counts: number[], options: ForecastOptions = {}): Forecast {
  const h = options.horizon ?? 4;
  const m = options.season ?? SEASON;
  if (!counts.length) throw new Error('a forecast needs at least one week of history');
  if (!Number.isInteger(h) || h < 1 || h > 52) throw new Error(`horizon must be 1 … 52 weeks, got ${h}`);
  if (!Number.isInteger(m) || m < 2) throw new Error(`season must be a whole number of weeks ≥ 2, got ${m}`);
  if (counts.some((c) => !Number.isFinite(c) || c < 0)) throw new Error('weekly counts must be finite and ≥ 0');
  const xs = counts.map((c) => Math.log1p(c));
  const skip = closures(xs);
  const closed = skip.has(xs.length - 1);
  let model: ForecastModel;
  let fitted: EtsFit | null = null;
  let steps: { x: number; variance: number }[];
  if (xs.length >= 2 * m) {
    const seasonal = fit(xs, m, (t) => skip.has(t));
    const plain = fit(xs, null, (t) => skip.has(t));
    [model, fitted] = seasonal.aicc < plain.aicc ? ['seasonal', seasonal] : ['damped-trend', plain];
  } else if (xs.length >= MIN_SMOOTHING) {
    model = 'damped-trend';
    fitted = fit(xs, null, (t) => skip.has(t));
  } else model = 'naive';
  if (fitted) steps = project(fitted, h);
  else steps = naive(xs, skip, h);
  const errors = fitted && fitted.errors.length >= EMPIRICAL_MIN ? [...fitted.errors].sort((a, b) => a - b) : null;
  const weeks = steps.map(({ x, variance }, i) => {
    const floor = Math.exp(-x / 2); // √(1 / (1 + forecast)): the Poisson sd on the log scale
    const sd = Math.sqrt(variance);
    const widen = fitted && fitted.sigma2 > 0 ? Math.sqrt(variance / fitted.sigma2) : 1;
    const offset = (p: number, z: number) => (errors ? widen * quantile(errors, p) : z * sd);
    const lower = (p: number, z: number) => x + Math.min(offset(p, -z), -z * floor);
    const upper = (p: number, z: number) => x + Math.max(offset(p, z), z * floor);
    return {
      step: i + 1,
      point: closed ? 0 : back(x),
      lower80: closed ? 0 : back(lower(0.1, Z80)),
      upper80: back(upper(0.9, Z80)),
      lower95: closed ? 0 : back(lower(0.025, Z95)),
      upper95: back(upper(0.975, Z95)),
    };
  });
  const params = fitted ? { ...fitted.params } : null;
  return { model, params, historyWeeks: counts.length, closureWeeks: skip.size, closed, weeks };
}
