import fc from 'fast-check';
import { applicableCut, Grant, periodBounds, planFlows } from './policy';

const grant = (over: Partial<Grant> = {}): Grant => ({
  agreementId: 'g-1',
  provider: 'IR',
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'] },
  dimensions: ['route', 'category', 'direction'],
  minTimeGranularity: 'month',
  minGeoGranularity: 'country',
  minCellSize: 5,
  embargoDays: 0,
  validFrom: '2026-01-01',
  validUntil: null,
  purpose: 'regional flow monitoring',
  status: 'active',
  version: 1,
  grantedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const secretariat = { id: 'secretariat' };
const today = '2026-06-15';

describe('applicableCut', () => {
  it('denies by default: no grant, no cut', () => {
    expect(applicableCut('PK', [grant()], secretariat, 'movements', today)).toBeNull();
    expect(applicableCut('IR', [grant()], { id: 'org:IOM' }, 'movements', today)).toBeNull();
  });

  it('applies a grant only while it is active, in force and covers the kind', () => {
    expect(applicableCut('IR', [grant({ status: 'revoked' })], secretariat, 'movements', today)).toBeNull();
    expect(applicableCut('IR', [grant({ validUntil: '2026-06-14' })], secretariat, 'movements', today)).toBeNull();
    expect(applicableCut('IR', [grant({ validUntil: '2026-06-15' })], secretariat, 'movements', today)).not.toBeNull();
    expect(applicableCut('IR', [grant({ validFrom: '2026-06-16' })], secretariat, 'movements', today)).toBeNull();
    expect(applicableCut('IR', [grant()], secretariat, 'referrals', today)).toBeNull();
  });

  it('prefers a grant naming the recipient over one to anyone, then the latest', () => {
    const cut = applicableCut(
      'IR',
      [grant({ agreementId: 'anyone', recipient: '*', version: 9 }), grant({ agreementId: 'old', version: 1 }), grant({ agreementId: 'new', version: 2 })],
      secretariat,
      'movements',
      today,
    );
    expect(cut?.basis).toBe('new');
    expect(applicableCut('IR', [grant({ agreementId: 'anyone', recipient: '*' })], { id: 'org:UNHCR' }, 'movements', today)?.basis).toBe('anyone');
  });

  it('lets a state see its own data in full', () => {
    expect(applicableCut('IR', [], { id: 'state:IR' }, 'movements', today)).toMatchObject({ basis: 'own-data', minCellSize: 1, dimensions: 'all' });
  });

  it('turns an embargo into a last day', () => {
    expect(applicableCut('IR', [grant({ embargoDays: 30 })], secretariat, 'movements', today)?.lastDay).toBe('2026-05-16');
  });
});

describe('planFlows', () => {
  const providers = ['IR', 'PK', 'TR'];
  const query = { from: '2026-03-10', to: '2026-03-12', granularity: 'day' as const, dimensionsUsed: ['route', 'category'] };

  it('raises the granularity to what the grant requires and widens the period to whole periods', () => {
    const plan = planFlows(query, secretariat, [grant()], providers, 'movements', today);
    expect(plan).toMatchObject({ granularity: 'month', from: '2026-03-01', to: '2026-03-31' });
    expect(plan.coarsened).toEqual(['time granularity raised from day to month by g-1 (IR)', 'period widened to whole months: 2026-03-01 … 2026-03-31']);
  });

  it('leaves out a provider whose grant forbids a dimension used, and says why; never mentions one without a grant', () => {
    const plan = planFlows(
      { ...query, dimensionsUsed: ['route', 'sex'] },
      secretariat,
      [grant(), grant({ agreementId: 'g-2', provider: 'TR', dimensions: ['route', 'sex'] })],
      providers,
      'movements',
      today,
    );
    expect(plan.cuts.map((c) => c.provider)).toEqual(['TR']);
    expect(plan.leftOut).toEqual([{ provider: 'IR', agreement: 'g-1', reason: 'the agreement does not allow sex' }]);
  });

  it('leaves out border crossing points when the grant allows country level only', () => {
    const plan = planFlows(
      { ...query, dimensionsUsed: ['borderCrossingPoint'] },
      secretariat,
      [grant({ dimensions: ['borderCrossingPoint'] })],
      providers,
      'movements',
      today,
    );
    expect(plan.cuts).toEqual([]);
    expect(plan.leftOut[0].reason).toMatch(/country level only/);
  });

  it('never gives a caller a cut of a provider that granted it nothing (property)', () => {
    const arbGrant = fc.record({
      provider: fc.constantFrom('IR', 'PK', 'TR'),
      recipient: fc.constantFrom('secretariat', 'state:KZ', 'org:UNHCR', '*'),
      status: fc.constantFrom('active' as const, 'revoked' as const),
      validUntil: fc.constantFrom(null, '2026-01-31', '2026-12-31'),
      kinds: fc.constantFrom(['movements'] as const, ['referrals'] as const, ['movements', 'referrals'] as const),
    });
    fc.assert(
      fc.property(fc.array(arbGrant, { maxLength: 8 }), fc.constantFrom('secretariat', 'state:KZ', 'org:UNHCR', 'org:IOM'), (specs, who) => {
        const grants = specs.map((s, i) =>
          grant({
            agreementId: `g${i}`,
            provider: s.provider,
            recipient: s.recipient,
            status: s.status,
            validUntil: s.validUntil,
            scope: { eventKinds: [...s.kinds] },
            version: i,
          }),
        );
        const plan = planFlows({ ...query, dimensionsUsed: [] }, { id: who }, grants, providers, 'movements', today);
        for (const cut of [...plan.cuts, ...plan.leftOut]) {
          const entitled = grants.some(
            (g) =>
              g.provider === cut.provider &&
              g.status === 'active' &&
              (g.validUntil === null || g.validUntil >= today) &&
              g.scope.eventKinds.includes('movements') &&
              (g.recipient === who || g.recipient === '*'),
          );
          expect(entitled).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('periodBounds', () => {
  it.each([
    ['2026-03-11', 'week', '2026-03-09', '2026-03-15'],
    ['2026-03-09', 'week', '2026-03-09', '2026-03-15'],
    ['2026-03-15', 'week', '2026-03-09', '2026-03-15'],
    ['2026-02-10', 'month', '2026-02-01', '2026-02-28'],
    ['2024-02-10', 'month', '2024-02-01', '2024-02-29'],
    ['2026-07-04', 'year', '2026-01-01', '2026-12-31'],
  ] as const)('%s in a %s: %s … %s', (day, g, first, last) => {
    expect(periodBounds(day, g)).toEqual({ first, last });
  });

  it('shows each provider only whole closed periods: up to the release, its embargo and its data period', () => {
    const q = { from: '2026-01-01', to: '2026-12-31', granularity: 'month' as const, dimensionsUsed: ['route'] };
    const release = { dataUntil: '2026-06-14' };
    const plan = planFlows(q, secretariat, [grant()], ['IR'], 'movements', today, release);
    // June is open on the 14th: the last whole month is May.
    expect(plan.cuts[0]).toMatchObject({ firstDay: null, lastDay: '2026-05-31', exact: false });
    const embargoed = planFlows(q, secretariat, [grant({ embargoDays: 60 })], ['IR'], 'movements', today, release);
    expect(embargoed.cuts[0].lastDay).toBe('2026-03-31');
    const period = planFlows(
      q,
      secretariat,
      [grant({ dataFrom: '2026-02-10', dataUntil: '2026-04-30' } as Partial<Grant>)],
      ['IR'],
      'movements',
      today,
      release,
    );
    // A data period that starts mid-month opens from the next whole month.
    expect(period.cuts[0]).toMatchObject({ firstDay: '2026-03-01', lastDay: '2026-04-30' });
    const weekly = planFlows({ ...q, granularity: 'week' }, secretariat, [grant({ minTimeGranularity: 'week' })], ['IR'], 'movements', today, release);
    // 2026-06-14 is a Sunday: its ISO week is closed.
    expect(weekly.cuts[0].lastDay).toBe('2026-06-14');
  });

  it('with coarser=exclude, leaves out and names a state whose grant is coarser than asked instead of coarsening everyone', () => {
    const q = { from: '2026-03-02', to: '2026-03-29', granularity: 'week' as const, dimensionsUsed: ['route'] };
    const grants = [grant({ minTimeGranularity: 'week' }), grant({ agreementId: 'g-2', provider: 'AF', minTimeGranularity: 'year' })];
    const raised = planFlows(q, secretariat, grants, ['AF', 'IR'], 'movements', today);
    expect(raised.granularity).toBe('year');
    const kept = planFlows({ ...q, coarser: 'exclude' }, secretariat, grants, ['AF', 'IR'], 'movements', today);
    expect(kept.granularity).toBe('week');
    expect(kept.cuts.map((c) => c.provider)).toEqual(['IR']);
    expect(kept.leftOut).toEqual([
      { provider: 'AF', agreement: 'g-2', reason: 'the agreement allows year figures at the finest, coarser than the week asked' },
    ]);
  });

  it('marks own data and k = 1 grants exact, others protected', () => {
    expect(applicableCut('IR', [], { id: 'state:IR' }, 'movements', today)?.exact).toBe(true);
    expect(applicableCut('IR', [grant({ minCellSize: 1 })], secretariat, 'movements', today)?.exact).toBe(true);
    expect(applicableCut('IR', [grant({ minCellSize: 2 })], secretariat, 'movements', today)?.exact).toBe(false);
  });
});
