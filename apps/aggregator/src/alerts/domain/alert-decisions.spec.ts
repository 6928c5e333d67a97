import { ActiveAlert, decideAlerts, SeriesId } from './alert-decisions';
import { Assessment, WindowKeys } from './surge-detector';

const route: SeriesId = { provider: 'IR', scope: 'route', route: 'AF>IR>TR', borderCrossingPoint: null, category: null };
const a = (severity: Assessment['severity'], sustained = severity !== null): Assessment => ({
  recent: 100,
  baselineWeeks: [30, 30, 30, 30],
  expectedWeekly: 30,
  ratio: 3.3,
  score: 9,
  severity,
  sustained,
});
const keys: WindowKeys = { recent: 7, baseline: [1, 2, 3, 4] };
const active = (severity: ActiveAlert['severity']): ActiveAlert => ({ ...route, alertId: 'a1', severity, version: 1 });

describe('alert decisions', () => {
  it('raises a new alert only when a series reaches a severity', () => {
    expect(decideAlerts([], [{ series: route, assessment: a('high'), keys }])).toEqual([
      { kind: 'detected', series: route, assessment: a('high'), keys, alert: null },
    ]);
    expect(decideAlerts([], [{ series: route, assessment: a(null, true), keys }])).toEqual([]);
  });

  it('changes the severity of an active alert, or refreshes its figures, or lets it subside', () => {
    expect(decideAlerts([active('elevated')], [{ series: route, assessment: a('critical'), keys }])[0]).toMatchObject({
      kind: 'detected',
      alert: { alertId: 'a1' },
    });
    expect(decideAlerts([active('high')], [{ series: route, assessment: a('high'), keys }])[0].kind).toBe('refreshed');
    expect(decideAlerts([active('high')], [{ series: route, assessment: a(null, true), keys }])[0].kind).toBe('refreshed');
    expect(decideAlerts([active('high')], [{ series: route, assessment: a(null, false), keys }])[0].kind).toBe('subsided');
  });

  it('lets an alert subside when its series had no movement at all in the window', () => {
    expect(decideAlerts([active('high')], [])).toEqual([
      expect.objectContaining({
        kind: 'subsided',
        alert: active('high'),
        assessment: expect.objectContaining({ recent: 0 }),
        keys: { recent: 0, baseline: [0, 0, 0, 0] },
      }),
    ]);
  });

  it('keeps series apart by scope, provider, route, crossing point and category', () => {
    const byCategory: SeriesId = { ...route, scope: 'routeCategory', category: 'refugee' };
    const changes = decideAlerts(
      [active('high')],
      [
        { series: byCategory, assessment: a('high'), keys },
        { series: route, assessment: a('high'), keys },
      ],
    );
    expect(changes.map((c) => c.kind).sort()).toEqual(['detected', 'refreshed']);
  });
});
