import { exceedance } from './exceedance';
import type { Forecast } from './forecaster';

const week = (step: number, point: number, upper80: number, upper95: number) => ({ step, point, lower80: 0, upper80, lower95: 0, upper95 });
const forecast: Forecast = {
  model: 'seasonal',
  params: null,
  historyWeeks: 156,
  closureWeeks: 0,
  closed: false,
  weeks: [week(1, 900, 1100, 1300), week(2, 1000, 1250, 1500), week(3, 1200, 1500, 1800), week(4, 1400, 1750, 2100)],
};

describe('exceedance', () => {
  it('marks the weeks over the planning figure by the point forecast and by the upper bound', () => {
    const e = exceedance(forecast, { planningFigure: 1000, capacityPerDay: null });
    expect(e.weeks.map((w) => w.planning?.byPoint)).toEqual([false, false, true, true]);
    expect(e.weeks.map((w) => w.planning?.byUpper)).toEqual([true, true, true, true]);
    expect(e.weeks.every((w) => w.capacity === null)).toBe(true);
    expect(e.firstByPoint).toBe(3);
    expect(e.firstByUpper).toBe(1);
  });

  it('compares reception capacity per day × 7 with the weekly forecast', () => {
    // 200 a day is 1,400 a week: the point forecast of week 4 equals it (not over), its upper bound is over.
    const e = exceedance(forecast, { planningFigure: null, capacityPerDay: 200 });
    expect(e.weeks[3].capacity).toEqual({ limit: 1400, byPoint: false, byUpper: true });
    expect(e.weeks.map((w) => w.capacity?.byUpper)).toEqual([false, false, true, true]);
    expect(e.firstByPoint).toBeNull();
    expect(e.firstByUpper).toBe(3);
  });

  it('uses the 95% upper bound when asked', () => {
    const e = exceedance(forecast, { planningFigure: 1200, capacityPerDay: null }, 95);
    expect(e.weeks.map((w) => w.upper)).toEqual([1300, 1500, 1800, 2100]);
    expect(e.firstByUpper).toBe(1);
    expect(exceedance(forecast, { planningFigure: 1200, capacityPerDay: null }, 80).firstByUpper).toBe(2);
  });

  it('finds nothing without limits or under generous ones', () => {
    expect(exceedance(forecast, { planningFigure: null, capacityPerDay: null }).firstByUpper).toBeNull();
    expect(exceedance(forecast, { planningFigure: 5000, capacityPerDay: 1000 }).firstByUpper).toBeNull();
  });

  it('refuses negative or non-numeric limits and unknown levels', () => {
    expect(() => exceedance(forecast, { planningFigure: -1, capacityPerDay: null })).toThrow(/planningFigure/);
    expect(() => exceedance(forecast, { planningFigure: null, capacityPerDay: NaN })).toThrow(/capacityPerDay/);
    expect(() => exceedance(forecast, { planningFigure: 1, capacityPerDay: 1 }, 90 as 80)).toThrow(/level/);
  });
});
