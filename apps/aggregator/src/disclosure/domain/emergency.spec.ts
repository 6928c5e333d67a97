import fc from 'fast-check';
import type { EmergencyTerms } from '@caravanserai/contracts';
import { EmergencyActivation, EmergencyContext, EmergencyFacts, emergencyStatus, statesConcerned, termsInEffect } from './emergency';
import { applicableCut, Grant, planFlows } from './policy';

/** The resolution of emergency terms (issue 17): given the declared emergency and its activations,
 * when a recipient asks, then the cut is the grant's with the terms over it — or the ordinary one. */
const terms: EmergencyTerms = {
  minTimeGranularity: 'day',
  minGeoGranularity: 'border_crossing_point',
  embargoDays: 0,
  dimensions: ['borderCrossingPoint', 'sex'],
  recipients: ['org:UNHCR'],
  maxDays: 10,
  activation: 'at-node',
};
const grant = (over: Partial<Grant> = {}): Grant => ({
  agreementId: 'g-ir',
  provider: 'IR',
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
  dimensions: ['route', 'category'],
  minTimeGranularity: 'month',
  minGeoGranularity: 'country',
  minCellSize: 5,
  embargoDays: 30,
  validFrom: '2026-01-01',
  validUntil: null,
  dataFrom: '2026-02-01',
  dataUntil: null,
  purpose: 'regional picture',
  status: 'active',
  version: 1,
  grantedAt: '2026-01-01T00:00:00Z',
  emergency: terms,
  ...over,
});
const emergency: EmergencyFacts = {
  id: 'e-1',
  routes: ['AF>IR>TR'],
  borderCrossingPoints: [],
  declaredAt: '2026-06-01T12:00:00.000Z',
  days: 20,
  endedAt: null,
};
const activation = (over: Partial<EmergencyActivation> = {}): EmergencyActivation => ({
  agreementId: 'g-ir',
  provider: 'IR',
  emergencyId: 'e-1',
  activatedAt: '2026-06-02T08:00:00.000Z',
  by: 'at-node',
  alertId: null,
  ...over,
});
const at = (now: string, over: Partial<EmergencyContext> = {}): EmergencyContext => ({ emergency, activations: [activation()], now, ...over });
const cut = (principal: string, ctx: EmergencyContext, grants: Grant[] = [grant()]) =>
  applicableCut('IR', grants, { id: principal }, 'movements', ctx.now.slice(0, 10), ctx);

describe('emergency terms: when they are in effect', () => {
  it('the emergency is in force from its declaration until declared over or its days run out, whichever first', () => {
    expect(emergencyStatus(emergency, '2026-06-20T11:59:59.999Z')).toBe('in-force');
    expect(emergencyStatus(emergency, '2026-06-21T12:00:00.000Z')).toBe('expired');
    expect(emergencyStatus({ ...emergency, endedAt: '2026-06-05T00:00:00.000Z' }, '2026-06-05T00:00:00.000Z')).toBe('ended');
    expect(emergencyStatus({ ...emergency, endedAt: '2026-06-05T00:00:00.000Z' }, '2026-06-04T23:59:59.000Z')).toBe('in-force');
  });

  it('from activation to the earliest of activation + maxDays, the end, the revocation or expiry of the grant', () => {
    expect(termsInEffect(grant(), at('2026-06-02T07:59:00.000Z'))).toBeNull(); // before the activation
    expect(termsInEffect(grant(), at('2026-06-02T08:00:00.000Z'))).toMatchObject({ until: '2026-06-12T08:00:00.000Z', by: 'at-node' });
    expect(termsInEffect(grant(), at('2026-06-12T08:00:00.000Z'))).toBeNull(); // maxDays ran out
    expect(termsInEffect(grant({ emergency: { ...terms, maxDays: 90 } }), at('2026-06-20T00:00:00.000Z'))).toMatchObject({ until: '2026-06-21T12:00:00.000Z' });
    expect(termsInEffect(grant({ emergency: { ...terms, maxDays: 90 } }), at('2026-06-21T12:00:00.000Z'))).toBeNull(); // the emergency's days ran out
    expect(termsInEffect(grant(), at('2026-06-03T00:00:00.000Z', { emergency: { ...emergency, endedAt: '2026-06-02T20:00:00.000Z' } }))).toBeNull();
    expect(termsInEffect(grant({ status: 'revoked' }), at('2026-06-03T00:00:00.000Z'))).toBeNull();
    expect(termsInEffect(grant({ validUntil: '2026-06-02' }), at('2026-06-03T00:00:00.000Z'))).toBeNull();
    expect(termsInEffect(grant({ emergency: null }), at('2026-06-03T00:00:00.000Z'))).toBeNull();
  });

  it('needs an activation for this agreement and this emergency, made while it was in force; the first one counts', () => {
    const now = '2026-06-03T00:00:00.000Z';
    expect(termsInEffect(grant(), at(now, { activations: [] }))).toBeNull();
    expect(termsInEffect(grant(), at(now, { activations: [activation({ emergencyId: 'e-2' })] }))).toBeNull();
    expect(termsInEffect(grant(), at(now, { activations: [activation({ agreementId: 'g-other' })] }))).toBeNull();
    expect(termsInEffect(grant(), at(now, { activations: [activation({ activatedAt: '2026-05-31T00:00:00.000Z' })] }))).toBeNull();
    const auto = activation({ activatedAt: '2026-06-01T13:00:00.000Z', by: 'critical-surge', alertId: 'a-1' });
    expect(termsInEffect(grant(), at(now, { activations: [activation(), auto] }))).toMatchObject({
      by: 'critical-surge',
      alertId: 'a-1',
      until: '2026-06-11T13:00:00.000Z',
    });
  });

  it('only for a state whose data the scope covers', () => {
    expect(statesConcerned({ routes: ['AF>IR>TR', 'AF>PK>ZZ'], borderCrossingPoints: ['TR-KAPIKOY'] })).toEqual(['IR', 'PK', 'TR']);
    expect(termsInEffect(grant(), at('2026-06-03T00:00:00.000Z', { emergency: { ...emergency, routes: ['AF>PK>IR'] } }))).toBeNull();
    expect(
      termsInEffect(grant(), at('2026-06-03T00:00:00.000Z', { emergency: { ...emergency, routes: [], borderCrossingPoints: ['IR-DOGHAROUN'] } })),
    ).not.toBeNull();
  });
});

describe('emergency terms: the cut', () => {
  const now = '2026-06-03T00:00:00.000Z';

  it('is the grant with the terms over it: finer time and place, shorter embargo, added dimensions; same k, scope, categories and data period', () => {
    expect(cut('secretariat', at(now))).toEqual({
      provider: 'IR',
      basis: 'g-ir',
      minCellSize: 5,
      minTimeGranularity: 'day',
      allowBorderCrossingPoints: true,
      dimensions: new Set(['route', 'category', 'borderCrossingPoint', 'sex']),
      categories: { exclude: ['victim_of_trafficking'] },
      firstDay: '2026-02-01',
      lastDay: null,
      exact: false,
      emergency: { id: 'e-1', activatedAt: '2026-06-02T08:00:00.000Z', by: 'at-node', alertId: null, until: '2026-06-12T08:00:00.000Z', as: 'direct' },
    });
  });

  it('reaches the further recipients the terms name, and nobody else', () => {
    expect(cut('org:UNHCR', at(now))).toMatchObject({ basis: 'g-ir', minCellSize: 5, emergency: { as: 'further' } });
    expect(cut('org:IOM', at(now))).toBeNull();
    expect(applicableCut('IR', [grant()], { id: 'org:UNHCR' }, 'movements', '2026-06-03')).toBeNull(); // not asked under the emergency
    expect(cut('org:UNHCR', at(now), [grant({ scope: { eventKinds: ['referrals'] } })])).toBeNull(); // never another event kind
  });

  it('never lowers k: a further recipient with its own grant of a higher k keeps that k', () => {
    const own = grant({ agreementId: 'g-unhcr', recipient: 'org:UNHCR', minCellSize: 10, emergency: null, version: 2 });
    expect(cut('org:UNHCR', at(now), [grant(), own])).toMatchObject({ basis: 'g-ir', minCellSize: 10, exact: false });
    expect(cut('org:UNHCR', at(now), [grant({ minCellSize: 1 })])).toMatchObject({ minCellSize: 1, exact: true });
  });

  it('is the ordinary cut before the activation, after the end, after maxDays and out of scope', () => {
    const ordinary = applicableCut('IR', [grant()], { id: 'secretariat' }, 'movements', '2026-06-03');
    for (const ctx of [
      at('2026-06-02T07:00:00.000Z'),
      at(now, { emergency: { ...emergency, endedAt: '2026-06-02T09:00:00.000Z' } }),
      at('2026-06-12T09:00:00.000Z'),
      at(now, { emergency: { ...emergency, routes: ['AF>PK>IR'] } }),
    ]) {
      const c = cut('secretariat', ctx);
      expect(c?.emergency).toBeUndefined();
      expect({ ...c, lastDay: null }).toEqual({ ...ordinary, lastDay: null });
    }
  });

  it('k, the categories and the data period of an emergency cut are the grant’s for every terms and activation (property)', () => {
    const arb = fc.record({
      k: fc.integer({ min: 1, max: 20 }),
      ownK: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
      time: fc.constantFrom('day', 'week', 'month'),
      embargo: fc.integer({ min: 0, max: 30 }),
      maxDays: fc.integer({ min: 1, max: 90 }),
      offsetHours: fc.integer({ min: -48, max: 24 * 100 }),
    });
    fc.assert(
      fc.property(arb, ({ k, ownK, time, embargo, maxDays, offsetHours }) => {
        const g = grant({ minCellSize: k, emergency: { ...terms, minTimeGranularity: time as 'day', embargoDays: embargo, maxDays } });
        const grants = ownK === null ? [g] : [g, grant({ agreementId: 'g-own', recipient: 'org:UNHCR', minCellSize: ownK, emergency: null })];
        const when = new Date(Date.parse('2026-06-02T08:00:00.000Z') + offsetHours * 3_600_000).toISOString();
        const c = cut('org:UNHCR', at(when), grants);
        // Not under the terms (not yet, or no longer): exactly the cut without the emergency.
        if (c === null || !c.emergency)
          return JSON.stringify(c) === JSON.stringify(applicableCut('IR', grants, { id: 'org:UNHCR' }, 'movements', when.slice(0, 10)));
        return (
          c.minCellSize >= k &&
          c.minCellSize >= (ownK ?? 0) &&
          JSON.stringify(c.categories) === JSON.stringify(g.scope.categories) &&
          c.firstDay === '2026-02-01'
        );
      }),
    );
  });
});

describe('planFlows under an emergency', () => {
  it('keeps only the states the scope covers, says which parts are under emergency terms, and after the end says it is over', () => {
    const pk = grant({ agreementId: 'g-pk', provider: 'PK', emergency: null });
    const tr = grant({ agreementId: 'g-tr', provider: 'TR', emergency: null });
    const e = { ...emergency, routes: ['AF>IR>TR', 'AF>PK>IR'] };
    const q = { from: '2026-05-01', to: '2026-05-31', granularity: 'day' as const, dimensionsUsed: ['route'], coarser: 'exclude' as const };
    const plan = planFlows(
      q,
      { id: 'secretariat' },
      [grant(), pk, tr],
      ['IR', 'PK', 'TR'],
      'movements',
      '2026-06-03',
      null,
      at('2026-06-03T00:00:00.000Z', { emergency: e }),
    );
    expect(plan.cuts.map((c) => c.provider)).toEqual(['IR']);
    expect(plan.leftOut.map((l) => l.provider)).toEqual(['PK']); // monthly grant, daily question
    expect(plan.emergency).toMatchObject({ id: 'e-1', status: 'in-force', underEmergencyTerms: ['IR'] });
    const after = planFlows(
      q,
      { id: 'secretariat' },
      [grant(), pk],
      ['IR', 'PK'],
      'movements',
      '2026-06-22',
      null,
      at('2026-06-22T00:00:00.000Z', { emergency: e }),
    );
    expect(after.emergency).toMatchObject({ status: 'expired', underEmergencyTerms: [] });
    expect(after.cuts).toEqual([]);
  });
});
