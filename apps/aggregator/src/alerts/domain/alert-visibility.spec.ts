import type { AgreementTerms } from '@caravanserai/contracts';
import type { Grant } from '../../disclosure/domain/policy';
import { MAX_NOISE, perturb, recordKey } from '../../disclosure/domain/cell-key';
import { AlertRecord, StoredAlert, visibleAlert } from './alert-visibility';
import { assess, baselineWeeks, usualWeek } from './surge-detector';

const today = '2026-10-31';
const alert = (over: Partial<StoredAlert> = {}): StoredAlert => ({
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
  protection: { recentKey: 2 ** 31, baselineWeeks: [28, 30, 32, 30], baselineKeys: [1, 2 ** 30, 2 ** 31, 3 * 2 ** 30] },
  ...over,
});
/** The alert as its provider sees it: exact, without the keys. */
const exact = (a: StoredAlert): AlertRecord => {
  const { protection: _keys, ...shown } = a;
  return shown;
};
/** The same alert seen with noise: same identity and window, figures within the method's noise. */
const expectNoisy = (seen: AlertRecord | null, a: StoredAlert) => {
  const { recent: _r, expectedWeekly: _e, ratio: _q, score: _s, ...identity } = exact(a);
  expect(seen).toMatchObject(identity);
  expect(Math.abs(seen!.recent - a.recent)).toBeLessThanOrEqual(MAX_NOISE);
  expect(Math.abs(seen!.expectedWeekly - a.expectedWeekly)).toBeLessThanOrEqual(MAX_NOISE);
};
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
const grant = (over: Partial<Grant> = {}): Grant => ({
  ...terms,
  agreementId: 'g1',
  provider: 'IR',
  status: 'active',
  version: 1,
  grantedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const see = (a: StoredAlert, grants: Grant[], who = 'secretariat') => visibleAlert(a, grants, { id: who }, today);

describe('alert visibility under agreements', () => {
  it('default deny: no grant, no alert; a state always sees alerts on its own data', () => {
    expect(see(alert(), [])).toBeNull();
    expect(see(alert(), [], 'state:IR')).toEqual(exact(alert()));
    expect(see(alert(), [grant()], 'org:UNHCR')).toBeNull();
    expect(see(alert(), [grant({ status: 'revoked' })])).toBeNull();
    expectNoisy(see(alert(), [grant()]), alert());
  });

  it('needs the alert’s dimensions, crossing points for a crossing-point alert, and weekly figures', () => {
    expect(see(alert(), [grant({ dimensions: ['category'] })])).toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'refugee' }), [grant({ dimensions: ['route'] })])).toBeNull();
    const bcp = alert({ scope: 'borderCrossingPoint', route: null, borderCrossingPoint: 'IR-DOGHAROUN' });
    expectNoisy(see(bcp, [grant()]), bcp);
    expect(see(bcp, [grant({ minGeoGranularity: 'country' })])).toBeNull();
    expect(see(alert(), [grant({ minTimeGranularity: 'month' })])).toBeNull();
  });

  it('hides an all-categories alert under a category restriction, and a category alert outside the scope', () => {
    const restricted = grant({ scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } } });
    expect(see(alert(), [restricted])).toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'refugee' }), [restricted])).not.toBeNull();
    expect(see(alert({ scope: 'routeCategory', category: 'victim_of_trafficking' }), [restricted])).toBeNull();
  });

  it('decides on published figures, never on an exact count; a k = 1 grant sees exact figures; respects the embargo', () => {
    // 40 below k = 50 is published as 50 when the key's u < 40/50, as 0 (hidden) otherwise.
    const small = (u: number) => alert({ recent: 40, protection: { ...alert().protection!, recentKey: Math.floor(u * 2 ** 32) } });
    expect(see(small(0.79), [grant({ minCellSize: 50 })])).toMatchObject({ recent: 50 });
    expect(see(small(0.81), [grant({ minCellSize: 50 })])).toBeNull();
    // Baseline weeks below k are published as 0 or k like any small count, not withheld.
    const weeks = alert().protection!.baselineWeeks.map((w, i) => perturb(w, alert().protection!.baselineKeys[i], 50));
    expect(weeks.every((w) => w === 0 || w === 50)).toBe(true);
    expect(see(alert(), [grant({ minCellSize: 50 })])).toMatchObject({ expectedWeekly: usualWeek(weeks) });
    expect(see(alert(), [grant({ minCellSize: 1 })])).toEqual(exact(alert()));
    expect(see(alert(), [grant({ embargoDays: 3 })])).toBeNull();
  });

  it('shows an alert stored before keys were kept only to its provider and to a k = 1 grant', () => {
    const legacy = alert({ protection: null });
    expect(see(legacy, [grant()])).toBeNull();
    expect(see(legacy, [], 'state:IR')).toEqual(exact(legacy));
    expect(see(legacy, [grant({ minCellSize: 1 })])).toEqual(exact(legacy));
  });
});

describe('alert figures cannot be differenced into days', () => {
  const secret = Buffer.alloc(32, 13);
  /** A seeded generator, so the trials are the same at every run. */
  const rng = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const KEY_RANGE = 2 ** 32;
  const keySum = (keys: number[]) => keys.reduce((a, b) => (a + b) % KEY_RANGE, 0);

  /** 36 days of one route's movements, each record with its own key; the alert of a run on day
   * `last` (34 or 35): the recent week is days last−6 … last, the baseline the 28 days before. */
  function trial(seed: number) {
    const random = rng(seed);
    const days = Array.from({ length: 36 }, (_, d) =>
      Array.from({ length: 8 + Math.floor(random() * (d >= 29 ? 40 : 10)) }, (_, i) => recordKey(secret, `t${seed}-d${d}-r${i}`)),
    );
    const alertOn = (last: number) => {
      const series = days.slice(last - 34, last + 1);
      const daily = series.map((d) => d.length);
      const a = assess(daily);
      const weekKeys = (w: number) => keySum(series.slice(w * 7, w * 7 + 7).flat());
      return {
        ...alert({ recent: a.recent, expectedWeekly: a.expectedWeekly, ratio: a.ratio, score: a.score }),
        protection: { recentKey: keySum(series.slice(28).flat()), baselineWeeks: baselineWeeks(daily), baselineKeys: [0, 1, 2, 3].map(weekKeys) },
      };
    };
    return { days, yesterday: alertOn(34), today: alertOn(35) };
  }

  it('a k = 5 recipient differencing two consecutive days’ alerts does not get the day; the provider does', () => {
    const trials = 300;
    let exactDiff = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const { days, yesterday, today } = trial(seed);
      // What arrived on day 35 minus what left the window (day 28): the exact difference.
      const truth = days[35].length - days[28].length;
      const own = [see(yesterday, [], 'state:IR'), see(today, [], 'state:IR')];
      expect(own[1]!.recent - own[0]!.recent).toBe(truth);
      const seen = [see(yesterday, [grant()]), see(today, [grant()])];
      for (const [i, a] of [yesterday, today].entries()) {
        expect(seen[i]).not.toBeNull();
        expect(Math.abs(seen[i]!.recent - a.recent)).toBeLessThanOrEqual(MAX_NOISE);
      }
      if (seen[1]!.recent - seen[0]!.recent === truth) exactDiff++;
    }
    // Equal noise on both windows happens (about 27 % of the time with the method's weights), but
    // the recipient cannot tell when: today the difference is exact every time.
    expect(exactDiff / trials).toBeLessThan(0.4);
    // The keys never leave the aggregator, not even to the provider.
    const { today } = trial(1);
    expect(see(today, [], 'state:IR')).not.toHaveProperty('protection');
    expect(see(today, [grant()])).not.toHaveProperty('protection');
  });

  it('publishes the usual week from the perturbed baseline weeks, and ratio and score from the published values', () => {
    const { today } = trial(7);
    const seen = see(today, [grant()])!;
    const weeks = today.protection.baselineWeeks.map((w, i) => perturb(w, today.protection.baselineKeys[i], 5));
    const recent = perturb(today.recent, today.protection.recentKey, 5);
    expect(seen.recent).toBe(recent);
    expect(seen.expectedWeekly).toBe(usualWeek(weeks));
    expect(seen.ratio).toBeCloseTo(recent / Math.max(usualWeek(weeks), 1), 2);
    // A k = 1 grant has chosen exact figures.
    expect(see(today, [grant({ minCellSize: 1 })])).toMatchObject({
      recent: today.recent,
      expectedWeekly: today.expectedWeekly,
      ratio: today.ratio,
      score: today.score,
    });
  });
});
