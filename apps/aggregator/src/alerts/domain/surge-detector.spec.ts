import { assess, assessByMean, DEFAULT_THRESHOLDS, median } from './surge-detector';
import { alertRates, Plant, plantedSeries } from './surge-scenarios';

const week = (perDay: number) => new Array(7).fill(perDay);
const series = (baselineWeeks: number[][], recent: number[]) => [...baselineWeeks.flat(), ...recent];
const RUNS = 400;

describe('surge detector (the recent week against the usual baseline week)', () => {
  it('reads the four baseline weeks and the recent week exactly', () => {
    const a = assess(series([week(10), week(12), week(14), week(100)], week(40)));
    // weeks 70, 84, 98, 700: median 91; 700 is above twice that and left out: (70 + 84 + 98) / 3.
    expect(a.expectedWeekly).toBe(84);
    expect(a.recent).toBe(280);
    expect(a.ratio).toBeCloseTo(280 / 84, 2);
    // A holiday week at a quarter is left out the same way.
    expect(assess(series([week(10), week(2), week(10), week(10)], week(10))).expectedWeekly).toBe(70);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('grades severity by ratio and score, and needs a minimum volume: 2 → 6 is no surge', () => {
    expect(assess(series([week(10), week(10), week(10), week(10)], week(16))).severity).toBe('elevated'); // 112 vs 70
    expect(assess(series([week(10), week(10), week(10), week(10)], week(22))).severity).toBe('high'); // 154 vs 70
    expect(assess(series([week(10), week(10), week(10), week(10)], week(40))).severity).toBe('critical'); // 280 vs 70
    const small = series(
      [
        [2, 0, 0, 0, 0, 0, 0],
        [0, 0, 2, 0, 0, 0, 0],
        [0, 2, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 2, 0, 0],
      ],
      [1, 1, 1, 1, 1, 1, 0],
    );
    expect(assess(small)).toMatchObject({ recent: 6, expectedWeekly: 2, severity: null });
    expect(assessByMean(small)).toBeNull();
    expect(assess(series([week(0), week(0), week(0), week(0)], week(5))).severity).toBe('critical'); // 0 → 35: above the minimum
  });

  it('keeps an alert while the series sustains it, below the detection thresholds', () => {
    const flat = [week(10), week(10), week(10), week(10)];
    expect(assess(series(flat, week(14)))).toMatchObject({ severity: null, sustained: true }); // 98 vs 70: ratio 1.4
    expect(assess(series(flat, week(11)))).toMatchObject({ severity: null, sustained: false }); // 77 vs 70
  });

  it('refuses a series of the wrong length', () => {
    expect(() => assess([1, 2, 3])).toThrow(/35 days/);
  });

  describe('on planted series (docs/alerts.md)', () => {
    const rate = (plant: Plant) => alertRates(plant, RUNS);

    it('finds a planted surge: ×2.5 for the last week, or ×3 for its last four days', () => {
      for (const level of [10, 40, 200]) {
        expect(rate({ level, surge: { factor: 2.5, days: 7 } }).robust).toBeGreaterThanOrEqual(0.97);
        expect(rate({ level, surge: { factor: 3, days: 4 } }).robust).toBeGreaterThanOrEqual(0.9);
      }
      expect(rate({ level: 40, surge: { factor: 4, days: 7 } }).severities.critical / RUNS).toBeGreaterThanOrEqual(0.95);
    });

    it('raises (almost) nothing on noise alone, and fewer false alarms than the plain mean', () => {
      for (const level of [3, 10, 40, 200]) {
        const r = rate({ level });
        expect(r.robust).toBeLessThanOrEqual(0.01);
        expect(r.robust).toBeLessThanOrEqual(r.mean);
      }
    });

    it('is not fooled by a holiday dip in the baseline, where the plain mean is', () => {
      // A week of holidays (a closure) at a quarter of the usual volume two weeks back, then a
      // usual week a little busier (×1.2): not a surge.
      const dip: Plant = { level: 40, dip: { from: 14, days: 7, factor: 0.25 }, surge: { factor: 1.2, days: 7 } };
      const r = rate(dip);
      // What remains is what a ×1.2 week raises by noise without any dip.
      const noDip = rate({ level: 40, surge: { factor: 1.2, days: 7 } }).robust;
      expect(r.robust).toBeLessThanOrEqual(Math.max(0.04, noDip + 0.01));
      expect(r.mean).toBeGreaterThanOrEqual(0.4);
      // A holiday dip in the recent week is a drop, never a surge.
      expect(rate({ level: 40, dip: { from: 30, days: 4, factor: 0.2 } }).robust).toBe(0);
    });

    it('still finds a real surge after a holiday dip', () => {
      expect(rate({ level: 40, dip: { from: 7, days: 5, factor: 0.2 }, surge: { factor: 2.5, days: 7 } }).robust).toBeGreaterThanOrEqual(0.97);
    });

    it('is deterministic for a seed', () => {
      expect(plantedSeries({ level: 10 }, 5)).toEqual(plantedSeries({ level: 10 }, 5));
    });

    if (process.env.SURGE_REPORT === '1') {
      it('prints the comparison table of docs/alerts.md', () => {
        const plants: [string, Plant][] = [
          ['noise, 3/day', { level: 3 }],
          ['noise, 10/day', { level: 10 }],
          ['noise, 40/day', { level: 40 }],
          ['noise, 200/day', { level: 200 }],
          ['surge ×2.5 last week, 10/day', { level: 10, surge: { factor: 2.5, days: 7 } }],
          ['surge ×2.5 last week, 40/day', { level: 40, surge: { factor: 2.5, days: 7 } }],
          ['surge ×3 last 4 days, 40/day', { level: 40, surge: { factor: 3, days: 4 } }],
          ['no surge, a usual week ×1.2, 40/day', { level: 40, surge: { factor: 1.2, days: 7 } }],
          ['surge ×1.5 last week, 40/day', { level: 40, surge: { factor: 1.5, days: 7 } }],
          ['holiday week at 25% in baseline, then ×1.2', { level: 40, dip: { from: 14, days: 7, factor: 0.25 }, surge: { factor: 1.2, days: 7 } }],
          ['holiday dip in the recent week', { level: 40, dip: { from: 30, days: 4, factor: 0.2 } }],
          ['holiday dip in baseline, then surge ×2.5', { level: 40, dip: { from: 7, days: 5, factor: 0.2 }, surge: { factor: 2.5, days: 7 } }],
        ];
        const lines = plants.map(([name, p]) => {
          const r = rate(p);
          return `| ${name} | ${(r.mean * 100).toFixed(1)}% | ${(r.robust * 100).toFixed(1)}% | ${r.severities.elevated}/${r.severities.high}/${r.severities.critical} |`;
        });
        console.log([`thresholds ${JSON.stringify(DEFAULT_THRESHOLDS)}; ${RUNS} series each`, ...lines].join('\n'));
      });
    }
  });
});
