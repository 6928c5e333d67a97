/**
 * Exponential smoothing state-space models (ETS, Hyndman, Koehler, Ord & Snyder 2008) for one
 * weekly series, on the log scale: x = ln(1 + count). Pure; no I/O.
 *
 * Why the log scale: flows are counts whose swings grow with their size (a surge multiplies a
 * route, it does not add to it), and a forecast on the log scale turned back with e^x − 1 can never
 * be negative. Additive models on the log scale are multiplicative ones on counts, and the additive
 * ones have closed-form prediction intervals (class 1, Table 6.1 of the book):
 *
 *   Var(h) = σ² (1 + Σ_{j=1}^{h−1} c_j²),  c_j = α + β(φ + φ² + … + φ^j) + γ [j mod m = 0]
 *
 * in the error-correction form used here (β = α·β*, the trend constant of the component form).
 * The quantiles of the log forecast turn into quantiles of the count, so the point forecast is a
 * median and the intervals are exact for the model; the mean of the count would be higher.
 *
 * Parameters are fitted by a grid search on the sum of squared one-step errors: weekly series are
 * short (a few hundred points), the grid is a few hundred combinations, and a grid cannot wander off
 * as an optimiser can on a flat likelihood.
 */

export interface EtsParams {
  alpha: number;
  /** Trend smoothing in the error-correction form (0 when the model has no trend). */
  beta: number;
  /** Damping of the trend (1 = none). */
  phi: number;
  /** Seasonal smoothing (0 when the model has no season). */
  gamma: number;
}

export interface EtsState {
  level: number;
  trend: number;
  /** The last m seasonal terms, the oldest first (s[0] belongs to the next week); empty if none. */
  season: number[];
}

export interface EtsFit {
  params: EtsParams;
  state: EtsState;
  /** Variance of the one-step errors on the log scale (over the weeks that were not skipped). */
  sigma2: number;
  /** One-step errors that entered the fit. */
  used: number;
  /** Akaike's criterion, corrected for small samples, over the one-step errors (Gaussian on the
   * log scale). The parameters counted are the smoothing constants and every initial state,
   * including m − 1 seasonal ones, as forecast::ets counts them. */
  aicc: number;
  /** The one-step errors themselves, in time order (for empirical intervals). */
  errors: number[];
}

/** A week left out of the fit (a closure): the states run on as forecast, nothing is learnt. */
export type Skip = (t: number) => boolean;

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99];
const BETA_STARS = [0, 0.05, 0.15];
const PHIS = [0.8, 0.9, 0.98];
const GAMMAS = [0, 0.05, 0.1, 0.2];

export const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Least-squares line through (i, xs[i]): value at i = 0 and slope. */
export function line(xs: number[]): { intercept: number; slope: number } {
  const n = xs.length;
  if (n < 2) return { intercept: xs[0] ?? 0, slope: 0 };
  const tBar = (n - 1) / 2;
  const xBar = mean(xs);
  let num = 0,
    den = 0;
  xs.forEach((x, t) => {
    num += (t - tBar) * (x - xBar);
    den += (t - tBar) ** 2;
  });
  const slope = num / den;
  return { intercept: xBar - slope * tBar, slope };
}

/** Initial states: a line through the first weeks (through two seasons' means when seasonal), and the seasonal
 * profile as the mean departure from that line per week of the season, smoothed over three weeks
 * (two years give two noisy values per week) and centred so the season sums to zero. */
export function initialState(xs: number[], m: number | null, skip: Skip): EtsState {
  const span = m ? Math.min(xs.length, 2 * m) : Math.min(xs.length, 8);
  const head = xs.slice(0, span);
  const open = (from: number, to: number) => head.slice(from, to).filter((_, i) => !skip(from + i));
  let { intercept, slope } = line(open(0, span).length >= 2 ? open(0, span) : head);
  if (m && span === 2 * m) {
    // The classical start of Holt-Winters: the trend from one season's mean to the next. A line
    // fitted through two whole seasons would take part of the season for a trend.
    const [first, second] = [mean(open(0, m)), mean(open(m, 2 * m))];
    slope = (second - first) / m;
    intercept = first - (slope * (m - 1)) / 2;
  }
  const state: EtsState = { level: intercept - slope, trend: slope, season: [] };
  if (!m) return state;
  const raw = Array.from({ length: m }, (_, i) => {
    const d = [];
    for (let t = i; t < span; t += m) if (!skip(t)) d.push(head[t] - (intercept + slope * t));
    return d.length ? mean(d) : 0;
  });
  const smooth = raw.map((_, i) => (raw[(i + m - 1) % m] + raw[i] + raw[(i + 1) % m]) / 3);
  const centre = mean(smooth);
  state.season = smooth.map((s) => s - centre);
  return state;
}

/** Runs the model over the series; the sum of squared one-step errors and the final state. */
export function run(xs: number[], p: EtsParams, init: EtsState, skip: Skip, errors?: number[]): { sse: number; used: number; state: EtsState } {
  let { level, trend } = init;
  const season = [...init.season];
  const m = season.length;
  let sse = 0,
    used = 0;
  // season[(t) % m] is week t's seasonal term: a ring, so nothing is shifted in the loop.
  for (let t = 0; t < xs.length; t++) {
    const s = m ? season[t % m] : 0;
    const fitted = level + p.phi * trend + s;
    const e = skip(t) ? 0 : xs[t] - fitted;
    if (!skip(t)) {
      sse += e * e;
      used += 1;
      errors?.push(e);
    }
    const newLevel = level + p.phi * trend + p.alpha * e;
    trend = p.phi * trend + p.beta * e;
    level = newLevel;
    if (m) season[t % m] = s + p.gamma * e;
  }
  // Back to oldest first, so that season[0] belongs to the next week.
  const k = m ? xs.length % m : 0;
  return { sse, used, state: { level, trend, season: [...season.slice(k), ...season.slice(0, k)] } };
}

/** The grid search. `m` null: ETS(A,Ad,N) (β* = 0 gives ETS(A,N,N)); otherwise ETS(A,Ad,A). */
export function fit(xs: number[], m: number | null, skip: Skip): EtsFit {
  const init = initialState(xs, m, skip);
  let best: { sse: number; used: number; state: EtsState; params: EtsParams } | null = null;
  for (const alpha of ALPHAS) {
    for (const betaStar of BETA_STARS) {
      for (const phi of betaStar === 0 ? [1] : PHIS) {
        for (const gamma of m ? GAMMAS.filter((g) => g <= 1 - alpha) : [0]) {
          const params = { alpha, beta: alpha * betaStar, phi, gamma };
          const r = run(xs, params, betaStar === 0 ? { ...init, trend: 0 } : init, skip);
          if (!best || r.sse < best.sse - 1e-12) best = { ...r, params };
        }
      }
    }
  }
  const b = best as NonNullable<typeof best>;
  const errors: number[] = [];
  run(xs, b.params, b.params.beta ? init : { ...init, trend: 0 }, skip, errors);
  // α and ℓ0; β, φ and b0 with a trend; γ and m − 1 seasonal states with a season.
  const k = 2 + (b.params.beta ? 3 : 0) + (m ? m : 0);
  const n = b.used;
  const aicc = n > k + 1 ? n * Math.log(Math.max(b.sse, 1e-12) / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1) : Infinity;
  // σ² over the errors with a small-sample correction for the constants, not the seasonal states
  // (they are smoothed from two values each, and counting them all would leave nothing on two years).
  const dof = 2 + (b.params.beta ? 3 : 0) + (m ? 1 : 0);
  return { params: b.params, state: b.state, sigma2: b.sse / Math.max(n - dof, 1), used: n, aicc, errors };
}

/** Point forecasts (log scale) and their variances for steps 1..h. */
export function project(f: EtsFit, h: number): { x: number; variance: number }[] {
  const { alpha, beta, phi, gamma } = f.params;
  const m = f.state.season.length;
  const out = [];
  let phiSum = 0; // φ + … + φ^step
  let cSum = 0; // Σ c_j² for j < step
  for (let step = 1; step <= h; step++) {
    phiSum += phi ** step;
    const s = m ? f.state.season[(step - 1) % m] : 0;
    out.push({ x: f.state.level + phiSum * f.state.trend + s, variance: f.sigma2 * (1 + cSum) });
    const c = alpha + beta * phiSum + (m && step % m === 0 ? gamma : 0);
    cSum += c * c;
  }
  return out;
}
