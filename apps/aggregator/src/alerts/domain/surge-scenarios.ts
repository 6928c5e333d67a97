import { assess, assessByMean, SERIES_DAYS, Severity } from './surge-detector';

/**
 * Planted synthetic series for judging the detector (docs/alerts.md, surge-detector.spec.ts):
 * 35 days, oldest first, with a weekday pattern (a quiet Friday at 0.7, other days 1.05),
 * over-dispersed noise (a Poisson count whose mean is itself drawn from a gamma with shape 20:
 * about ±22 % day to day on top of Poisson), and what is planted on top.
 */
export interface Plant {
  /** Mean movements a day. */
  level: number;
  /** Multiplies the last `surgeDays` days. */
  surge?: { factor: number; days: number };
  /** Multiplies the days [from, from + days) (0 = oldest day): a holiday or a closure. */
  dip?: { from: number; days: number; factor: number };
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gamma(r: () => number, shape: number): number {
  // Marsaglia and Tsang, shape >= 1.
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = r() || 1e-12;
      const u2 = r();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(r() || 1e-12) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function poisson(r: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = r(); p > limit; p *= r()) k += 1;
  return k;
}

export function plantedSeries(plant: Plant, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: SERIES_DAYS }, (_, day) => {
    let mean = plant.level * (day % 7 === 3 ? 0.7 : 1.05);
    if (plant.surge && day >= SERIES_DAYS - plant.surge.days) mean *= plant.surge.factor;
    if (plant.dip && day >= plant.dip.from && day < plant.dip.from + plant.dip.days) mean *= plant.dip.factor;
    return poisson(r, (mean * gamma(r, 20)) / 20);
  });
}

/** How often each method raises an alert (any severity) over `runs` seeds of one plant. */
export function alertRates(plant: Plant, runs: number, seed0 = 1): { robust: number; mean: number; severities: Record<Severity, number> } {
  let robust = 0;
  let naive = 0;
  const severities: Record<Severity, number> = { elevated: 0, high: 0, critical: 0 };
  for (let i = 0; i < runs; i++) {
    const series = plantedSeries(plant, seed0 + i * 7919);
    const a = assess(series);
    if (a.severity) {
      robust += 1;
      severities[a.severity] += 1;
    }
    if (assessByMean(series)) naive += 1;
  }
  return { robust: robust / runs, mean: naive / runs, severities };
}
