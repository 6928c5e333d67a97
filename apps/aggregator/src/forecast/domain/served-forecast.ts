import type { DisclosureReport, ReleaseRef } from '../../disclosure/domain/disclosure-report';
import { addDays, lastWholePeriodEnd, periodBounds } from '../../disclosure/domain/policy';
import type { FlowAnswer, FlowQuery } from '../../answers/flow-answer';
import { exceedance, Exceedance } from './exceedance';
import { Forecast, ForecastModel, forecastWeekly, WeekForecast } from './forecaster';

/**
 * The forecast as served (GET /v1/forecasts, the forecast.exceedance feed items), pure: a function
 * of ONE weekly flows answer — the one GET /v1/flows gives the same caller — and of the
 * secretariat's scenarios, which are not any state's data. So it inherits the agreements and the
 * disclosure method of that answer and shows nothing it does not: the series are its published
 * rows (a week without a row is 0, as the answer means it), cut to the weeks the answer's
 * disclosure block says the route's state is shown for.
 */

/** Two years of whole weeks: enough for the seasonal model (forecaster.ts needs 2 × 52). */
export const HISTORY_WEEKS = 104;
export const FORECAST_MODELS: readonly ForecastModel[] = ['seasonal', 'damped-trend', 'naive'];
export const SCENARIO_FIGURES = ['planningFigure', 'capacity'] as const;
export const HORIZON = 4;
export type Level = 80 | 95;

/** The weekly flows question a forecast is built from: whole ISO weeks ending on the last Sunday
 * on or before `lastDay` (the release's dataUntil), HISTORY_WEEKS of them. Providers coarser than
 * a week are left out (named in the answer's disclosure), not allowed to coarsen it to months. */
export function forecastFlowQuery(lastDay: string, q: { routes?: string[]; categories?: string[]; byCategory: boolean }): FlowQuery {
  const to = lastWholePeriodEnd(lastDay, 'week');
  const from = addDays(to, -(7 * HISTORY_WEEKS - 1));
  return {
    from,
    to,
    granularity: 'week',
    groupBy: q.byCategory ? ['route', 'category'] : ['route'],
    ...(q.routes?.length ? { routes: q.routes } : {}),
    ...(q.categories?.length ? { categories: q.categories } : {}),
    coarser: 'exclude',
  };
}

/** The ISO week label of the week starting on `monday`, as the flows answer writes it (2026-W05). */
export function isoWeekLabel(monday: string): string {
  const thursday = new Date(Date.parse(`${addDays(monday, 3)}T00:00:00Z`));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Mondays of the whole weeks from `from` to `to` (both inclusive, whole weeks). */
export function weekStarts(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = periodBounds(from, 'week').first; addDays(d, 6) <= to; d = addDays(d, 7)) if (d >= from) out.push(d);
  return out;
}

/** A scenario's figures, as the contingency context lists them. */
export interface ScenarioLimits {
  target: string;
  version: number;
  planningFigure: number | null;
  capacityPerDay: number | null;
}

export interface WeekPoint {
  week: string;
  start: string;
  count: number;
}

export type ServedWeek = WeekForecast & { week: string; start: string };

/** Where a series is forecast to go over a figure: first week by the top of the interval (it may),
 * and first week by the point forecast (it is expected to), if any. */
export interface ForecastAlert {
  route: string;
  figure: (typeof SCENARIO_FIGURES)[number];
  /** The weekly limit: the planning figure, or capacity per day × 7. */
  limit: number;
  scenarioVersion: number;
  level: Level;
  week: string;
  start: string;
  step: number;
  point: number;
  upper: number;
  /** The point forecast goes over it too (from `expectedWeek`); otherwise only the interval does. */
  expected: boolean;
  expectedWeek: string | null;
}

export interface ForecastSeries {
  route: string;
  category?: string;
  /** The weeks this series reads, as published (0 where the answer has no row), from its first
   * non-zero week; empty when the answer shows nothing of the route. */
  history: WeekPoint[];
  forecast: (Omit<Forecast, 'weeks'> & { weeks: ServedWeek[] }) | null;
  /** The route's scenario, compared only with route totals (not a category, not a filtered series). */
  scenario: (ScenarioLimits & { capacityPerWeek: number | null }) | null;
  exceedance: Exceedance | null;
  alerts: ForecastAlert[];
  /** Why there is no forecast, when there is none. */
  note: string | null;
}

export interface ForecastRequest {
  routes?: string[];
  categories?: string[];
  byCategory: boolean;
  level: Level;
}

export interface ForecastAnswer {
  query: ForecastRequest;
  release: ReleaseRef | null;
  /** The weeks the flows answer covers. */
  from: string;
  to: string;
  horizon: number;
  level: Level;
  /** The flows question the forecast was built from (ask GET /v1/flows the same to see its rows). */
  flowsQuery: FlowQuery;
  series: ForecastSeries[];
  alerts: ForecastAlert[];
  /** The flows answer's own block: what applied to the figures the forecast read. */
  disclosure: DisclosureReport;
}

const routeProvider = (route: string) => route.split('>')[1];

/**
 * The forecast answer for `flows` (a weekly answer to forecastFlowQuery) and the scenarios in
 * force. Reads nothing but its arguments.
 */
export function forecastFromFlows(flows: FlowAnswer, scenarios: readonly ScenarioLimits[], request: ForecastRequest, flowsQuery: FlowQuery): ForecastAnswer {
  if (flows.granularity !== 'week') throw new Error(`a forecast reads weekly figures, not ${flows.granularity}`);
  const weeks = weekStarts(flows.from, flows.to);
  const labels = weeks.map(isoWeekLabel);
  const byKey = new Map<string, { route: string; category?: string; counts: Map<string, number> }>();
  const keyOf = (route: string, category?: string) => JSON.stringify([route, category ?? null]);
  for (const row of flows.rows) {
    if (!row.route) continue;
    const key = keyOf(row.route, request.byCategory ? row.category : undefined);
    const entry = byKey.get(key) ?? { route: row.route, ...(request.byCategory ? { category: row.category } : {}), counts: new Map() };
    entry.counts.set(row.period, (entry.counts.get(row.period) ?? 0) + row.count);
    byKey.set(key, entry);
  }
  // Routes asked for but absent from the answer are listed too, with why there is nothing.
  if (!request.byCategory) for (const route of request.routes ?? []) if (!byKey.has(keyOf(route))) byKey.set(keyOf(route), { route, counts: new Map() });
  const compare = !request.byCategory && !request.categories?.length;
  const active = new Map(scenarios.map((s) => [s.target, s]));
  const series: ForecastSeries[] = [...byKey.values()]
    .sort((a, b) => keyOf(a.route, a.category).localeCompare(keyOf(b.route, b.category)))
    .map(({ route, category, counts }) => {
      const shown = flows.disclosure.agreements.find((a) => a.provider === routeProvider(route));
      const scenarioOf = compare ? active.get(route) : undefined;
      const scenario = scenarioOf ? { ...scenarioOf, capacityPerWeek: scenarioOf.capacityPerDay === null ? null : scenarioOf.capacityPerDay * 7 } : null;
      const base = { route, ...(category !== undefined ? { category } : {}), scenario };
      if (!shown)
        return {
          ...base,
          history: [],
          forecast: null,
          exceedance: null,
          alerts: [],
          note: 'the answer shows nothing of this route’s state to you (see disclosure)',
        };
      // Only the weeks the state's part is shown for: outside them a missing row is not a zero.
      const first = shown.dataFrom ?? flows.from;
      const last = shown.dataUntil ?? flows.to;
      const inWindow = weeks
        .map((w, i) => ({ week: labels[i], start: w, count: counts.get(labels[i]) ?? 0 }))
        .filter((p) => p.start >= first && addDays(p.start, 6) <= last);
      const from = inWindow.findIndex((p) => p.count > 0);
      const history = from < 0 ? [] : inWindow.slice(from);
      if (history.length === 0)
        return { ...base, history, forecast: null, exceedance: null, alerts: [], note: 'no movements published on this route in the weeks read' };
      const forecast = forecastWeekly(
        history.map((p) => p.count),
        { horizon: HORIZON },
      );
      const lastStart = history[history.length - 1].start;
      const served = forecast.weeks.map((w) => {
        const start = addDays(lastStart, 7 * w.step);
        return { ...w, week: isoWeekLabel(start), start };
      });
      const ex = scenario ? exceedance(forecast, { planningFigure: scenario.planningFigure, capacityPerDay: scenario.capacityPerDay }, request.level) : null;
      const alerts = ex && scenario ? alertsOf(route, scenario, ex, served, request.level) : [];
      return { ...base, history, forecast: { ...forecast, weeks: served }, exceedance: ex, alerts, note: null };
    });
  return {
    query: request,
    release: flows.release,
    from: flows.from,
    to: flows.to,
    horizon: HORIZON,
    level: request.level,
    flowsQuery,
    series,
    alerts: series.flatMap((s) => s.alerts),
    disclosure: flows.disclosure,
  };
}

/** The alert rule: a figure is reported when the top of the interval goes over it in any of the
 * forecast weeks (at `level`, one week in ten — or forty — goes above the top when the model
 * holds), with whether the point forecast goes over it too. */
export function alertsOf(route: string, scenario: ScenarioLimits, ex: Exceedance, weeks: readonly ServedWeek[], level: Level): ForecastAlert[] {
  const out: ForecastAlert[] = [];
  for (const figure of SCENARIO_FIGURES) {
    const check = (w: Exceedance['weeks'][number]) => (figure === 'planningFigure' ? w.planning : w.capacity);
    const firstUpper = ex.weeks.find((w) => check(w)?.byUpper);
    if (!firstUpper) continue;
    const firstPoint = ex.weeks.find((w) => check(w)?.byPoint);
    const week = weeks.find((w) => w.step === firstUpper.step)!;
    out.push({
      route,
      figure,
      limit: check(firstUpper)!.limit,
      scenarioVersion: scenario.version,
      level,
      week: week.week,
      start: week.start,
      step: firstUpper.step,
      point: firstUpper.point,
      upper: firstUpper.upper,
      expected: firstPoint !== undefined,
      expectedWeek: firstPoint ? weeks.find((w) => w.step === firstPoint.step)!.week : null,
    });
  }
  return out;
}
