import { mulberry32 } from '@caravanserai/synthetic';
import { forecastWeekly, MIN_SMOOTHING } from './forecaster';

/** A standard normal draw (Box–Muller) from a seeded generator. */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const within = (x: number, target: number, share: number) => Math.abs(x - target) <= share * target;

describe('forecastWeekly', () => {
  it('forecasts a constant as itself, with a Poisson-width interval rather than none', () => {
    const f = forecastWeekly(Array(60).fill(400));
    expect(f.model).toBe('damped-trend');
    for (const w of f.weeks) {
      expect(w.point).toBe(400);
      // Poisson sd of 400 is 20: the 95% interval is about ±39, not zero and not wild.
      expect(w.upper95 - w.lower95).toBeGreaterThan(50);
      expect(w.upper95 - w.lower95).toBeLessThan(120);
    }
  });

  it('follows a linear trend', () => {
    const series = Array.from({ length: 60 }, (_, t) => 100 + 5 * t);
    const f = forecastWeekly(series);
    f.weeks.forEach((w) => expect(within(w.point, 100 + 5 * (59 + w.step), 0.04)).toBe(true));
    expect(f.weeks[3].point).toBeGreaterThan(f.weeks[0].point);
  });

  it('follows a seasonal sine over three years with the seasonal model', () => {
    const truth = (t: number) => 500 + 200 * Math.sin((2 * Math.PI * t) / 52);
    const series = Array.from({ length: 156 }, (_, t) => Math.round(truth(t)));
    const f = forecastWeekly(series);
    expect(f.model).toBe('seasonal');
    f.weeks.forEach((w) => expect(within(w.point, truth(155 + w.step), 0.05)).toBe(true));
    // With less than two years the seasonal model does not answer.
    const short = forecastWeekly(series.slice(60)); // 96 weeks: less than two seasons
    expect(short.model).toBe('damped-trend');
  });

  it('widens its intervals with the horizon and keeps them ordered and non-negative', () => {
    const rng = mulberry32(7);
    // A random walk on the log scale: what the week after next holds is less certain than next week.
    let level = Math.log(300);
    const series = Array.from({ length: 120 }, () => Math.round(Math.exp((level += 0.1 * normal(rng)))));
    const f = forecastWeekly(series);
    for (const w of f.weeks) {
      expect(0).toBeLessThanOrEqual(w.lower95);
      expect(w.lower95).toBeLessThanOrEqual(w.lower80);
      expect(w.lower80).toBeLessThanOrEqual(w.point);
      expect(w.point).toBeLessThanOrEqual(w.upper80);
      expect(w.upper80).toBeLessThanOrEqual(w.upper95);
    }
    // On the count scale a falling forecast may narrow the interval; relative to the forecast
    // (on the log scale the model works on) it must widen.
    const widths = f.weeks.map((w) => Math.log1p(w.upper95) - Math.log1p(w.lower95));
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThanOrEqual(widths[i - 1] - 0.01); // whole movements: rounding
    expect(widths[3]).toBeGreaterThan(widths[0]);
  });

  it('covers about 80% and 95% of simulated weeks (200 fixed seeds, local level on the log scale)', () => {
    let in80 = 0,
      in95 = 0,
      n = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rng = mulberry32(seed);
      let level = Math.log(500);
      const series: number[] = [];
      for (let t = 0; t < 64; t++) {
        const e = 0.15 * normal(rng);
        series.push(Math.round(Math.exp(level + e)));
        level += 0.3 * e;
      }
      const f = forecastWeekly(series.slice(0, 60));
      f.weeks.forEach((w, i) => {
        const y = series[60 + i];
        n += 1;
        if (w.lower80 <= y && y <= w.upper80) in80 += 1;
        if (w.lower95 <= y && y <= w.upper95) in95 += 1;
      });
    }
    expect(in80 / n).toBeGreaterThan(0.72);
    expect(in80 / n).toBeLessThan(0.88);
    expect(in95 / n).toBeGreaterThan(0.9);
    expect(in95 / n).toBeLessThan(0.99);
  });

  it('never forecasts below zero, even on a falling series of small counts', () => {
    const f = forecastWeekly([40, 30, 22, 15, 10, 6, 4, 2, 1, 0, 1, 0]);
    for (const w of f.weeks) expect(w.lower95).toBeGreaterThanOrEqual(0);
    expect(f.weeks[0].point).toBeLessThanOrEqual(2);
  });

  it('takes zeros on a small route as data, not as a closure', () => {
    const f = forecastWeekly([2, 0, 1, 3, 0, 0, 2, 1, 0, 4, 1, 0]);
    expect(f.closureWeeks).toBe(0);
    expect(f.closed).toBe(false);
  });

  it('learns nothing from a closure, and while one lasts forecasts zero with the open route as upper bound', () => {
    const open = Array.from({ length: 40 }, (_, t) => 1000 + (t % 2) * 40);
    const reopened = forecastWeekly([...open, 0, 0, 0, ...open.slice(0, 10)]);
    expect(reopened.closureWeeks).toBe(3);
    expect(within(reopened.weeks[0].point, 1020, 0.05)).toBe(true);
    const during = forecastWeekly([...open, 0, 0]);
    expect(during.closed).toBe(true);
    expect(during.weeks.map((w) => w.point)).toEqual([0, 0, 0, 0]);
    expect(during.weeks[0].upper95).toBeGreaterThan(900);
  });

  it('adapts to a surge in the last weeks rather than averaging it away', () => {
    const series = [...Array(50).fill(200), 600, 620, 610];
    const f = forecastWeekly(series);
    expect(f.weeks[0].point).toBeGreaterThan(450);
  });

  it('falls back to the last week on a short series, and says so', () => {
    const f = forecastWeekly([120, 140, 130]);
    expect(f.model).toBe('naive');
    expect(f.params).toBeNull();
    expect(f.weeks[0].point).toBe(130);
    expect(MIN_SMOOTHING).toBeGreaterThan(3);
    expect(f.weeks[3].upper95 - f.weeks[3].lower95).toBeGreaterThan(f.weeks[0].upper95 - f.weeks[0].lower95);
  });

  it('refuses what is not a weekly series', () => {
    expect(() => forecastWeekly([])).toThrow(/at least one week/);
    expect(() => forecastWeekly([1, -2, 3])).toThrow(/≥ 0/);
    expect(() => forecastWeekly([1, NaN])).toThrow(/finite/);
    expect(() => forecastWeekly([1, 2], { horizon: 0 })).toThrow(/horizon/);
  });
});
