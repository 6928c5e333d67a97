import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import type { FlowAnswer, FlowRow } from '../../answers/flow-answer';
import { forecastWeekly } from './forecaster';
import { alertsOf, forecastFlowQuery, forecastFromFlows, isoWeekLabel, weekStarts } from './served-forecast';
import { exceedance } from './exceedance';

const disclosure = (agreements: { provider: string; dataFrom?: string | null; dataUntil?: string | null }[]): DisclosureReport => ({
  principal: 'org:UNHCR',
  release: { id: 3, cutAt: '2026-12-01T00:00:00.000Z', dataUntil: '2026-11-30' },
  method: { name: 'cell-key', maxNoise: 3, exact: [], protected: agreements.map((a) => ({ provider: a.provider, k: 5 })) },
  agreements: agreements.map((a) => ({
    provider: a.provider,
    agreement: `agr-${a.provider}`,
    minCellSize: 5,
    minTimeGranularity: 'week',
    dataFrom: a.dataFrom ?? null,
    dataUntil: a.dataUntil ?? '2026-11-29',
    categories: 'all',
  })),
  leftOut: [],
  coarsened: [],
  notes: [],
});

const QUERY = forecastFlowQuery('2026-11-30', { routes: ['AF>IR>TR', 'AF>PK>PK'], byCategory: false });
const weeks = weekStarts(QUERY.from, QUERY.to);

function answer(rows: FlowRow[], agreements: { provider: string; dataFrom?: string | null; dataUntil?: string | null }[] = [{ provider: 'IR' }]): FlowAnswer {
  return {
    query: QUERY,
    granularity: 'week',
    from: QUERY.from,
    to: QUERY.to,
    release: { id: 3, cutAt: '2026-12-01T00:00:00.000Z', dataUntil: '2026-11-30' },
    rows,
    totals: { count: 0, byPeriod: [] },
    disclosure: disclosure(agreements),
  };
}
const request = { routes: ['AF>IR>TR'], byCategory: false, level: 80 as const };

describe('the served forecast, from one weekly flows answer', () => {
  it('asks GET /v1/flows for 104 whole ISO weeks up to the release, weekly, coarser states left out', () => {
    expect(QUERY).toEqual({
      from: '2024-12-02',
      to: '2026-11-29',
      granularity: 'week',
      groupBy: ['route'],
      routes: ['AF>IR>TR', 'AF>PK>PK'],
      coarser: 'exclude',
    });
    expect(weeks).toHaveLength(104);
    expect([isoWeekLabel('2025-12-29'), isoWeekLabel('2026-01-05'), isoWeekLabel('2020-12-28'), isoWeekLabel('2026-11-23')]).toEqual([
      '2026-W01',
      '2026-W02',
      '2020-W53',
      '2026-W48',
    ]);
    expect(forecastFlowQuery('2026-11-29', { byCategory: true, categories: ['refugee'] })).toMatchObject({
      to: '2026-11-29',
      groupBy: ['route', 'category'],
      categories: ['refugee'],
    });
  });

  it('reads the published rows and nothing else: a week without a row is 0, leading empty weeks are dropped', () => {
    // Published weeks 60 … 103, a gap at week 80 (no row: it came to 0 as published).
    const counts = weeks.map((_, i) => (i < 60 || i === 80 ? 0 : 20 + (i % 5)));
    const rows = weeks.flatMap((w, i) => (counts[i] ? [{ period: isoWeekLabel(w), route: 'AF>IR>TR', count: counts[i] }] : []));
    const a = forecastFromFlows(answer(rows), [], request, QUERY);
    const [s] = a.series;
    expect(s.history.map((p) => p.count)).toEqual(counts.slice(60));
    expect(s.history[0]).toEqual({ week: isoWeekLabel(weeks[60]), start: weeks[60], count: counts[60] });
    // The forecaster applied to exactly that series, weeks labelled after the last one.
    const expected = forecastWeekly(counts.slice(60), { horizon: 4 });
    expect(s.forecast!.weeks.map(({ week: _w, start: _s, ...rest }) => rest)).toEqual(expected.weeks);
    expect(s.forecast!.weeks.map((w) => w.start)).toEqual(['2026-11-30', '2026-12-07', '2026-12-14', '2026-12-21']);
    expect(s.forecast!.model).toBe(expected.model);
    // The same answer gives the same forecast; the disclosure block is the answer's own.
    expect(forecastFromFlows(answer(rows), [], request, QUERY)).toEqual(a);
    expect(a.disclosure).toEqual(answer(rows).disclosure);
  });

  it('counts no zeros outside the weeks the answer shows the route’s state for (an embargo, a data period)', () => {
    const rows = weeks.slice(0, 100).map((w) => ({ period: isoWeekLabel(w), route: 'AF>IR>TR', count: 30 }));
    const cut = forecastFromFlows(answer(rows, [{ provider: 'IR', dataUntil: addDaysStr(weeks[99], 6) }]), [], request, QUERY).series[0];
    expect(cut.history).toHaveLength(100);
    expect(cut.forecast!.closed).toBe(false);
    const uncut = forecastFromFlows(answer(rows), [], request, QUERY).series[0];
    expect(uncut.history.slice(-4).map((p) => p.count)).toEqual([0, 0, 0, 0]);
    expect(uncut.forecast!.closed).toBe(true);
  });

  it('says why there is nothing for a route whose state the answer does not show, or that has no rows', () => {
    const a = forecastFromFlows(answer([], []), [{ target: 'AF>IR>TR', version: 1, planningFigure: 10, capacityPerDay: null }], request, QUERY);
    expect(a.series).toEqual([
      expect.objectContaining({ route: 'AF>IR>TR', history: [], forecast: null, alerts: [], note: expect.stringMatching(/shows nothing/) }),
    ]);
    expect(forecastFromFlows(answer([]), [], request, QUERY).series[0].note).toMatch(/no movements/);
    expect(a.alerts).toEqual([]);
  });

  it('alerts where the interval top goes over a figure, and says whether the point forecast does too', () => {
    const rows = weeks.map((w, i) => ({ period: isoWeekLabel(w), route: 'AF>IR>TR', count: 100 + (i % 7) * 3 }));
    const base = forecastFromFlows(answer(rows), [], request, QUERY).series[0].forecast!.weeks[0];
    const planning = base.point - 1; // below the point: expected to go over
    const capacityPerDay = Math.ceil(base.upper80 / 7) - 1; // capacity × 7 < the interval top
    const a = forecastFromFlows(answer(rows), [{ target: 'AF>IR>TR', version: 2, planningFigure: planning, capacityPerDay }], request, QUERY);
    const alerts = a.series[0].alerts;
    expect(alerts.map((x) => [x.figure, x.limit, x.step, x.expected])).toEqual([
      ['planningFigure', planning, 1, true],
      ['capacity', capacityPerDay * 7, 1, capacityPerDay * 7 < base.point],
    ]);
    expect(alerts[0]).toMatchObject({ route: 'AF>IR>TR', scenarioVersion: 2, level: 80, week: base.week, expectedWeek: base.week });
    expect(a.alerts).toEqual(alerts);
    // High figures: no alert; a category series is never compared with a route's figures.
    expect(
      forecastFromFlows(answer(rows), [{ target: 'AF>IR>TR', version: 1, planningFigure: 10_000, capacityPerDay: 10_000 }], request, QUERY).alerts,
    ).toEqual([]);
    const byCat = forecastFromFlows(
      answer(rows.map((r) => ({ ...r, category: 'refugee' }))),
      [{ target: 'AF>IR>TR', version: 1, planningFigure: 1, capacityPerDay: null }],
      { ...request, byCategory: true },
      QUERY,
    );
    expect(byCat.series).toHaveLength(1);
    expect(byCat.series[0]).toMatchObject({ category: 'refugee', scenario: null, alerts: [] });
  });

  it('the alert rule on its own: nothing when no week goes over', () => {
    const f = forecastWeekly([50, 52, 49, 51, 50, 53, 48, 50, 51, 50]);
    const served = f.weeks.map((w) => ({ ...w, week: `W${w.step}`, start: `d${w.step}` }));
    const limits = { target: 'X', version: 1, planningFigure: 1000, capacityPerDay: 1000 };
    expect(alertsOf('X', limits, exceedance(f, limits), served, 80)).toEqual([]);
    const low = { ...limits, planningFigure: 0 };
    expect(alertsOf('X', low, exceedance(f, low), served, 80)).toEqual([
      expect.objectContaining({ figure: 'planningFigure', step: 1, week: 'W1', expected: true, expectedWeek: 'W1' }),
    ]);
  });
});

function addDaysStr(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
