import type { AgreementTerms } from '@caravanserai/contracts';
import type { Grant } from '../../disclosure/domain/policy';
import { AlertRecord, visibleAlert } from './alert-visibility';

const today = '2026-10-31';
const alert = (over: Partial<AlertRecord> = {}): AlertRecord => ({
  alertId: 'a1',
  provider: 'IR',
  scope: 'route',
  route: 'AF>IR>TR',
  borderCrossingPoint: null,
  category: null,
  severity: 'critical',
  status: 'active',
  window: { from: '2026-10-25', to: '2026-10-31' },
  baseline: { from: '2026-09-27', to: '2026-10-24' },
  recent: 120,
  expectedWeekly: 30,
  ratio: 4,
  score: 16,
  detectedAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  subsidedAt: null,
  ...over,
});
const terms: AgreementTerms = {
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'] },
  dimensions: ['route', 'category', 'borderCrossingPoint'],
  minTimeGranularity: 'week',
  minGeoGranularity: 'border_crossing_point',
  minCellSize: 5,
  embargoDays: 0,
  validFrom: '2026-01-01',
  validUntil: null,
  purpose: 'test',
} as AgreementTerms;
const grant = (over: Partial<Grant> = {}): Grant => ({ ...terms, agreementId: 'g1', provider: 'IR', status: 'active', version: 1, grantedAt: '2026-01-01T00:00:00Z', ...over });
const see = (a: AlertRecord, grants: Grant[], who = 'secretariat') => visibleAlert(a, grants, { id: who }, today);

describe('alert visibility under agreements', () => {
  it('default deny: no grant, no alert; a state always sees alerts on its own data', () => {
    expect(see(alert(), [])).toBeNull();
    expect(see(alert(), [], 'state:IR')).toEqual(alert());
    expect(see(alert(), [grant()], 'org:UNHCR')).toBeNull();
    expect(see(alert(), [grant({ status: 'revoked' })])).toBeNull();
    expect(see(alert(), [grant()])).toEqual(alert());
  });

  it('needs the alert’s dimensions, crossing points for a crossing-point alert, and weekly figures', () => {
    expect(see(alert(), [grant({ dimensions: ['category'] })])).toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'refugee' }), [grant({ dimensions: ['route'] })])).toBeNull();
    const bcp = alert({ scope: 'borderCrossingPoint', route: null, borderCrossingPoint: 'IR-DOGHAROUN' });
    expect(see(bcp, [grant()])).toEqual(bcp);
    expect(see(bcp, [grant({ minGeoGranularity: 'country' })])).toBeNull();
    expect(see(alert(), [grant({ minTimeGranularity: 'month' })])).toBeNull();
  });

  it('hides an all-categories alert under a category restriction, and a category alert outside the scope', () => {
    const restricted = grant({ scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } } });
    expect(see(alert(), [restricted])).toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'refugee' }), [restricted])).not.toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'victim_of_trafficking' }), [restricted])).toBeNull();
  });

  it('applies k to the recent week and withholds a baseline week below k; respects the embargo', () => {
    expect(see(alert({ recent: 40 }), [grant({ minCellSize: 50 })])).toBeNull();
    expect(see(alert(), [grant({ minCellSize: 50 })])).toMatchObject({ recent: 120, expectedWeekly: null, ratio: null, score: null });
    expect(see(alert(), [grant({ embargoDays: 3 })])).toBeNull();
  });
});
