import type { Forecast } from './forecaster';

/**
 * Which forecast weeks exceed a route's planning figure (expected arrivals per week under its
 * contingency scenario) or its reception capacity (people per day × 7), pure. Each limit is judged
 * twice: by the point forecast (the flow is expected to exceed it) and by the upper bound of the
 * chosen interval (it may exceed it: with an 80% interval, one week in ten goes above the upper
 * bound when the model holds). A limit equal to the forecast is not exceeded.
 */

export interface Limits {
  /** Expected arrivals per week; null when the route has none. */
  planningFigure: number | null;
  /** Reception capacity in people per day; null when none is recorded. */
  capacityPerDay: number | null;
}

export interface LimitCheck {
  limit: number;
  byPoint: boolean;
  byUpper: boolean;
}

export interface WeekExceedance {
  step: number;
  point: number;
  upper: number;
  planning: LimitCheck | null;
  capacity: LimitCheck | null;
}

export interface Exceedance {
  level: 80 | 95;
  weeks: WeekExceedance[];
  /** The first step exceeding any limit by the point forecast / by the upper bound; null if none. */
  firstByPoint: number | null;
  firstByUpper: number | null;
}

function checkLimit(name: string, value: number | null): void {
  if (value !== null && !(Number.isFinite(value) && value >= 0)) throw new Error(`${name} must be a number ≥ 0 or null, got ${value}`);
}

export function exceedance(forecast: Forecast, limits: Limits, level: 80 | 95 = 80): Exceedance {
  checkLimit('planningFigure', limits.planningFigure);
  checkLimit('capacityPerDay', limits.capacityPerDay);
  if (level !== 80 && level !== 95) throw new Error(`level must be 80 or 95, got ${level}`);
  const weekly = limits.capacityPerDay === null ? null : limits.capacityPerDay * 7;
  const check = (limit: number | null, point: number, upper: number): LimitCheck | null =>
    limit === null ? null : { limit, byPoint: point > limit, byUpper: upper > limit };
  const weeks = forecast.weeks.map((w) => {
    const upper = level === 80 ? w.upper80 : w.upper95;
    return { step: w.step, point: w.point, upper, planning: check(limits.planningFigure, w.point, upper), capacity: check(weekly, w.point, upper) };
  });
  const first = (by: 'byPoint' | 'byUpper') => weeks.find((w) => w.planning?.[by] || w.capacity?.[by])?.step ?? null;
  return { level, weeks, firstByPoint: first('byPoint'), firstByUpper: first('byUpper') };
}
