/**
 * Weekly series per route for the forecast backtest (bench/forecast-backtest.ts), shaped like
 * /work/shared/design/SCENARIO.md: the generator's routes (libs/synthetic DEFAULT_ROUTES: volumes,
 * spring and autumn seasons), a slow drift of the level, surges and closures, Poisson-like noise.
 *
 * Weekly totals are drawn directly rather than summed from generateMovements: three years of
 * records for twenty routes would be millions of records for a figure per week. The volumes,
 * seasons and the seeded generator (mulberry32, hashSeed) are the library's, so the series have
 * the same shape as the demo's data; the drift, surges and closures are planted here, each with
 * its own seeded draw per route, and labelled so the backtest can score them separately.
 */
import { DEFAULT_ROUTES, hashSeed, mulberry32, RouteSpec } from '@caravanserai/synthetic';

export type WeekLabel = 'ordinary' | 'surge-onset' | 'surge' | 'closure' | 'reopening';

export interface WeeklySeries {
  routeId: string;
  /** Monday of the first week, YYYY-MM-DD. */
  firstWeek: string;
  counts: number[];
  labels: WeekLabel[];
}

export interface SeriesOptions {
  seed: number;
  weeks: number;
  scale: number;
  firstWeek: string;
  routes?: RouteSpec[];
}

const DAY_MS = 86_400_000;

function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Per year of the series: a surge with probability 0.6 (×2 … ×4 for 2 … 6 weeks) and a closure
 * with probability 0.2 (2 … 5 weeks). The route into Pakistan is also closed over its last nine
 * weeks, as the Afghanistan–Pakistan crossings were from October 2025. */
function plant(routeId: string, weeks: number, rng: () => number): { factor: number[]; labels: WeekLabel[] } {
  const factor = Array<number>(weeks).fill(1);
  const labels = Array<WeekLabel>(weeks).fill('ordinary');
  for (let year = 0; year * 52 < weeks; year++) {
    if (rng() < 0.6) {
      const onset = year * 52 + Math.floor(rng() * 52),
        length = 2 + Math.floor(rng() * 5),
        by = 2 + 2 * rng();
      for (let w = onset; w < Math.min(onset + length, weeks); w++) {
        factor[w] *= by;
        labels[w] = w - onset < 2 ? 'surge-onset' : 'surge';
      }
    }
    if (rng() < 0.2) {
      const from = year * 52 + Math.floor(rng() * 52),
        length = 2 + Math.floor(rng() * 4);
      close(from, Math.min(from + length, weeks));
    }
  }
  if (routeId === 'PK:entry:AF>PK') close(weeks - 9, weeks);
  function close(from: number, to: number): void {
    for (let w = from; w < to; w++) {
      factor[w] = 0;
      labels[w] = 'closure';
    }
    for (let w = to; w < Math.min(to + 2, weeks); w++) if (labels[w] === 'ordinary') labels[w] = 'reopening';
  }
  return { factor, labels };
}

export function weeklySeries(opts: SeriesOptions): WeeklySeries[] {
  const start = Date.parse(`${opts.firstWeek}T00:00:00Z`);
  return (opts.routes ?? DEFAULT_ROUTES).map((route) => {
    const rng = mulberry32(hashSeed(opts.seed, route.id, 'weekly'));
    const { factor, labels } = plant(route.id, opts.weeks, rng);
    let drift = 0;
    const counts = factor.map((f, w) => {
      drift = 0.95 * drift + 0.04 * normal(rng); // slow, mean-reverting: ±15% over months
      const month = new Date(start + (7 * w + 3) * DAY_MS).getUTCMonth(); // the week's Thursday
      const expected = route.dailyVolume * opts.scale * 7 * (route.seasonality?.[month] ?? 1) * Math.exp(drift) * f;
      // Poisson-like noise plus 5% of extra-Poisson swings (weather, a holiday, a busy day).
      const noisy = expected * (1 + 0.05 * normal(rng)) + Math.sqrt(expected) * normal(rng);
      return Math.max(0, Math.round(noisy));
    });
    return { routeId: route.id, firstWeek: opts.firstWeek, counts, labels };
  });
}
