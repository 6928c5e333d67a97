/**
 * `npm run report:forecast [-- --smoke] [-- --scale 0.1] [-- --seeds 3]`: a rolling-origin
 * backtest of the weekly forecast (apps/aggregator/src/forecast/domain/forecaster.ts) against the
 * two naive baselines, "same as last week" and "same week last year".
 *
 * Data: three years (156 weeks) of weekly series per route from bench/forecast-series.ts (the
 * generator's routes and seasons, drift, planted surges and closures), for `--seeds` independent
 * regions. Origins: every week of the third year; at each, the forecaster sees only the weeks
 * before it (so the seasonal model always has its two years) and forecasts 1 … 4 weeks ahead.
 *
 * Scores, per horizon and overall, and per kind of target week (ordinary, the first two weeks of a
 * surge, later surge weeks, closures, the two weeks after a reopening): MAE; MASE, each error over
 * the mean one-step naive error of the weeks before the origin (Hyndman & Koehler 2006); sMAPE
 * where truth and forecast are not both zero; and the share of true values inside the 80% and 95%
 * intervals (the baselines give no interval). Writes bench/results/forecast-<timestamp>.{md,json}
 * and prints the markdown. Never exits 1 on the figures: they are measurements, not a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Forecast, forecastWeekly } from '../apps/aggregator/src/forecast/domain/forecaster';
import { WeekLabel, weeklySeries } from './forecast-series';

const ROOT = resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const smoke = argv.includes('--smoke');
const scale = Number(option('scale') ?? '0.1');
const seeds = Number(option('seeds') ?? (smoke ? '1' : '3'));
if (!(scale > 0) || !Number.isInteger(seeds) || seeds < 1) {
  console.error('usage: forecast-backtest [--smoke] [--scale <number>] [--seeds <n>]');
  process.exit(2);
}
const WEEKS = 156,
  FIRST_ORIGIN = 104,
  HORIZON = 4;
const METHODS = ['ets', 'last-week', 'same-week-last-year'] as const;
type Method = (typeof METHODS)[number];
const SEGMENTS: ('all' | WeekLabel)[] = ['all', 'ordinary', 'surge-onset', 'surge', 'closure', 'reopening'];

/** Sums of one method's errors over a set of forecasts. */
class Score {
  n = 0;
  abs = 0;
  scaled = 0;
  smapeSum = 0;
  smapeN = 0;
  in80 = 0;
  in95 = 0;
  withInterval = 0;
  add(truth: number, point: number, mase: number, interval?: { lower80: number; upper80: number; lower95: number; upper95: number }): void {
    const e = Math.abs(truth - point);
    this.n += 1;
    this.abs += e;
    this.scaled += e / mase;
    if (truth !== 0 || point !== 0) {
      this.smapeSum += (200 * e) / (Math.abs(truth) + Math.abs(point));
      this.smapeN += 1;
    }
    if (interval) {
      this.withInterval += 1;
      if (interval.lower80 <= truth && truth <= interval.upper80) this.in80 += 1;
      if (interval.lower95 <= truth && truth <= interval.upper95) this.in95 += 1;
    }
  }
  summary() {
    const r = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      n: this.n,
      mae: r(this.abs / this.n, 1),
      mase: r(this.scaled / this.n),
      smape: this.smapeN ? r(this.smapeSum / this.smapeN, 1) : null,
      coverage80: this.withInterval ? r(this.in80 / this.withInterval) : null,
      coverage95: this.withInterval ? r(this.in95 / this.withInterval) : null,
    };
  }
}

type Key = `${string}|${Method}|${number | 'all'}`;
const scores = new Map<Key, Score>();
const score = (segment: string, method: Method, h: number | 'all'): Score => {
  const key: Key = `${segment}|${method}|${h}`;
  let s = scores.get(key);
  if (!s) scores.set(key, (s = new Score()));
  return s;
};
const models = new Map<string, number>();

function main(): void {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let series = 0,
    forecasts = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    let region = weeklySeries({ seed, weeks: WEEKS, scale, firstWeek: '2023-01-02' });
    if (smoke) region = region.filter((_, i) => i % 4 === 0);
    for (const { counts, labels } of region) {
      series += 1;
      let diffSum = 0;
      for (let t = 1; t < FIRST_ORIGIN; t++) diffSum += Math.abs(counts[t] - counts[t - 1]);
      for (let origin = FIRST_ORIGIN; origin < WEEKS; origin++) {
        // The naive one-step error of the weeks before the origin scales MASE (at least 1 movement).
        const mase = Math.max(diffSum / (origin - 1), 1);
        const f: Forecast = forecastWeekly(counts.slice(0, origin), { horizon: HORIZON });
        forecasts += 1;
        models.set(f.model + (f.closed ? ' (closed)' : ''), (models.get(f.model + (f.closed ? ' (closed)' : '')) ?? 0) + 1);
        for (let h = 1; h <= HORIZON && origin + h - 1 < WEEKS; h++) {
          const target = origin + h - 1;
          const truth = counts[target];
          const points: Record<Method, number> = { ets: f.weeks[h - 1].point, 'last-week': counts[origin - 1], 'same-week-last-year': counts[target - 52] };
          for (const segment of ['all', labels[target]]) {
            for (const method of METHODS) {
              const interval = method === 'ets' ? f.weeks[h - 1] : undefined;
              score(segment, method, h).add(truth, points[method], mase, interval);
              score(segment, method, 'all').add(truth, points[method], mase, interval);
            }
          }
        }
        diffSum += Math.abs(counts[origin] - counts[origin - 1]);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const md = markdown(startedAt, seconds, series, forecasts);
  const json = {
    startedAt,
    smoke,
    seconds,
    scale,
    seeds,
    weeks: WEEKS,
    origins: `weeks ${FIRST_ORIGIN + 1} … ${WEEKS}`,
    horizon: HORIZON,
    series,
    forecasts,
    models: Object.fromEntries(models),
    scores: Object.fromEntries([...scores].map(([k, s]) => [k, s.summary()])),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `forecast-${stamp}.md`), md);
  writeFileSync(join(dir, `forecast-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  console.log(md);
  console.log(`written: bench/results/forecast-${stamp}.md and .json`);
}

const fmt = (x: number | null, d = 1) => (x === null ? '–' : x.toFixed(d));

function row(segment: string, method: Method, h: number | 'all'): string {
  const s = scores.get(`${segment}|${method}|${h}`)?.summary();
  if (!s) return `| ${segment} | ${method} | ${h} | 0 | | | | | |`;
  const vsEts = method === 'ets' ? '' : ratio(segment, h, method);
  return `| ${segment} | ${method} | ${h} | ${s.n} | ${fmt(s.mae)} | ${fmt(s.mase, 3)} | ${fmt(s.smape)} | ${fmt(s.coverage80, 3)} | ${fmt(s.coverage95, 3)} | ${vsEts} |`;
}

/** ETS's MAE as a share of the baseline's: below 1 means the forecast beats that baseline. */
function ratio(segment: string, h: number | 'all', method: Method): string {
  const ets = scores.get(`${segment}|ets|${h}`)?.summary(),
    base = scores.get(`${segment}|${method}|${h}`)?.summary();
  return ets && base && base.mae > 0 ? (ets.mae / base.mae).toFixed(2) : '–';
}

function markdown(startedAt: string, seconds: number, series: number, forecasts: number): string {
  const head =
    '| target weeks | method | h | n | MAE | MASE | sMAPE % | cover 80% | cover 95% | ETS MAE ÷ this |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|';
  const out = [
    `# Forecast backtest (${smoke ? 'smoke' : 'full'})`,
    '',
    `${startedAt}, ${seconds.toFixed(1)} s. ${series} weekly series of ${WEEKS} weeks (${seeds} seeded region(s), scale ${scale}), ` +
      `${forecasts} rolling origins over the third year, horizons 1 … ${HORIZON}. Models that answered: ` +
      [...models].map(([m, n]) => `${m} ${n}`).join(', ') +
      '.',
    '',
    '## All target weeks, per horizon',
    '',
    head,
    ...[1, 2, 3, 4, 'all' as const].flatMap((h) => METHODS.map((m) => row('all', m, h))),
    '',
    '## By kind of target week (all horizons)',
    '',
    head,
    ...SEGMENTS.slice(1).flatMap((seg) => METHODS.map((m) => row(seg, m, 'all'))),
    '',
    '## Surge onsets, per horizon',
    '',
    head,
    ...[1, 2, 3, 4].flatMap((h) => METHODS.map((m) => row('surge-onset', m, h))),
    '',
  ];
  return out.join('\n');
}

main();
