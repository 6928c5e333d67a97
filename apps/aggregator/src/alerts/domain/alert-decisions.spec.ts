import { ActiveAlert, decideAlerts, SeriesId } from './alert-decisions';
import { Assessment } from './surge-detector';

const route: SeriesId = { provider: 'IR', scope: 'route', route: 'AF>IR>TR', borderCrossingPoint: null, category: null };
const a = (severity: Assessment['severity'], sustained = severity !== null): Assessment => ({ recent: 100, expectedWeekly: 30, ratio: 3.3, score: 9, severity, sustained });
const active = (severity: ActiveAlert['severity']): ActiveAlert => ({ ...route, alertId: 'a1', severity, version: 1 });

describe('alert decisions', () => {
  it('raises a new alert only when a series reaches a severity', () => {
    expect(decideAlerts([], [{ series: route, assessment: a('high') }])).toEqual([{ kind: 'detected', series: route, assessment: a('high'), alert: null }]);
    expect(decideAlerts([], [{ series: route, assessment: a(null, true) }])).toEqual([]);
  });

  it('changes the severity of an active alert, or refreshes its figures, or lets it subside', () => {
    expect(decideAlerts([active('elevated')], [{ series: route, assessment: a('critical') }])[0]).toMatchObject({ kind: 'detected', alert: { alertId: 'a1' } });
    expect(decideAlerts([active('high')], [{ series: route, assessment: a('high') }])[0].kind).toBe('refreshed');
    expect(decideAlerts([active('high')], [{ series: route, assessment: a(null, true) }])[0].kind).toBe('refreshed');
    expect(decideAlerts([active('high')], [{ series: route, assessment: a(null, false) }])[0].kind).toBe('subsided');
  });

  it('lets an alert subside when its series had no movement at all in the window', () => {
    expect(decideAlerts([active('high')], [])).toEqual([expect.objectContaining({ kind: 'subsided', alert: active('high'), assessment: expect.objectContaining({ recent: 0 }) })]);
  });

  it('keeps series apart by scope, provider, route, crossing point and category', () => {
    const byCategory: SeriesId = { ...route, scope: 'routeCategory', category: 'refugee' };
    const changes = decideAlerts([active('high')], [{ series: byCategory, assessment: a('high') }, { series: route, assessment: a('high') }]);
    expect(changes.map((c) => c.kind).sort()).toEqual(['detected', 'refreshed']);
  });
});
