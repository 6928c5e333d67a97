import { AgreementGranted, EmergencyTerms } from '@caravanserai/contracts';
import { agreementGranted, agreementRevoked, bearer, emergencyTermsActivated, issueKey, movementRecorded, testSigningKeys } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { DEFAULT_THRESHOLDS } from '../alerts/domain/surge-detector';
import { runSurgeDetection } from '../alerts/infrastructure/pg-surge-run';
import { addDays } from '../disclosure/domain/policy';
import { FeedWriter } from '../feeds/application/feed-writer';
import type { StoredFeedItem } from '../answers/feed-item';
import type { FlowAnswer } from '../answers/flow-answer';
import { regionalIngests } from '../regional-ingests';
import { CLOCK } from '../infrastructure/tokens';
import { cutRelease } from '../releases/infrastructure/pg-releases';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';
import { SurgeActivation } from './application/activate-on-surge/surge-activation';
import type { EmergencyView } from './domain/emergency-view';
import { signedMessages } from '../testing/signed-messages';

/**
 * Emergencies in-process on the real PostgreSQL (issue 17), and the query campaign that would
 * break the promise if emergency terms leaked: Iran's terms (at-node; UNHCR a further recipient),
 * Türkiye's (on-critical-surge; IOM further), Pakistan with none. Each step asks what an attacker
 * would: the emergency answer against an ordinary grant of the same terms (equal: nothing beyond
 * what Iran agreed), a further recipient with a higher k of its own (kept), a recipient the terms
 * do not name (nothing), filters outside the scope (400), after maxDays, after the end, after a
 * revocation (the ordinary answer), the same question asked again (no stale cached answer).
 */
describe('emergencies (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let pool: Pool;
  // The aggregator's clock is real time (a node's activation takes effect when it is taken in),
  // moved forward by the test to make days run out; the data are dated from today backwards.
  let shiftMs = 0;
  const clock = () => new Date(Date.now() + shiftMs);
  const today = clock().toISOString().slice(0, 10);
  const first = addDays(today, -18);
  const last = addDays(first, 13);
  const keys = new Map<string, Record<string, string>>();
  const { msg } = signedMessages();
  const ingestAgreements = (events: unknown[]) => regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest(events.map(msg));
  const call = (method: 'GET' | 'POST', path: string, who: string, body?: object) =>
    app.inject({
      method,
      url: path,
      headers: { ...keys.get(who), ...(body ? { 'content-type': 'application/json' } : {}) },
      payload: body ? JSON.stringify(body) : undefined,
    });
  const ok = async <T>(path: string, who: string): Promise<T> => {
    const res = await call('GET', path, who);
    if (res.statusCode !== 200) throw new Error(`GET ${path} as ${who}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  const flows = (who: string, q: Record<string, string>) => ok<FlowAnswer>(`/v1/flows?${new URLSearchParams({ from: first, to: last, ...q })}`, who);
  const feed = async (who: string): Promise<StoredFeedItem[]> => (await ok<{ items: StoredFeedItem[] }>('/v1/feed?limit=500', who)).items;

  const irTerms: EmergencyTerms = {
    minTimeGranularity: 'day',
    minGeoGranularity: 'border_crossing_point',
    embargoDays: 0,
    dimensions: ['borderCrossingPoint', 'sex'],
    recipients: ['org:UNHCR'],
    maxDays: 10,
    activation: 'at-node',
  };
  const trTerms: EmergencyTerms = {
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    embargoDays: 0,
    dimensions: [],
    recipients: ['org:IOM'],
    maxDays: 30,
    activation: 'on-critical-surge',
  };
  const notVoT = { eventKinds: ['movements' as const], categories: { exclude: ['victim_of_trafficking'] } };
  const irSec = agreementGranted('IR', {
    recipient: 'secretariat',
    scope: notVoT,
    dimensions: ['route', 'provider', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    emergency: irTerms,
  });
  // UNHCR's own grant from Iran has a higher k: the emergency must not lower it.
  const irUnhcr = agreementGranted('IR', {
    recipient: 'org:UNHCR',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 8,
  });
  // What Iran's emergency terms amount to, granted outright: the yardstick of the campaign.
  const irTwin = agreementGranted('IR', {
    recipient: 'org:TWIN',
    scope: notVoT,
    dimensions: ['route', 'provider', 'category', 'borderCrossingPoint', 'sex'],
    minTimeGranularity: 'day',
    minGeoGranularity: 'border_crossing_point',
    minCellSize: 5,
  });
  const pkSec = agreementGranted('PK', {
    recipient: 'secretariat',
    dimensions: ['route', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 3,
  });
  const trSec = agreementGranted('TR', {
    recipient: 'secretariat',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    emergency: trTerms,
  });
  const grants: AgreementGranted[] = [irSec, irUnhcr, irTwin, pkSec, trSec];

  const day = (d: number) => addDays(first, d);
  // Iran on AF>IR>TR (in scope): small days (1 or 2, a victim of trafficking now and then) and a big one; on AF>IR>AZ (outside).
  const ir = [
    ...Array.from({ length: 14 }, (_, d) =>
      Array.from({ length: d === 6 ? 12 : 1 + (d % 2) }, (_, i) =>
        movementRecorded({
          provider: 'IR',
          occurredOn: day(d),
          data: {
            borderCrossingPoint: 'IR-DOGHAROUN',
            departedFrom: 'AF',
            intendedDestination: 'TR',
            category: d === 3 && i === 0 ? 'victim_of_trafficking' : 'refugee',
            sex: i % 2 ? 'male' : 'female',
          },
        }),
      ),
    ).flat(),
    ...Array.from({ length: 9 }, () =>
      movementRecorded({
        provider: 'IR',
        occurredOn: day(4),
        data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'AZ', category: 'refugee' },
      }),
    ),
  ];
  const pk = Array.from({ length: 6 }, (_, d) =>
    movementRecorded({
      provider: 'PK',
      occurredOn: day(d),
      data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'AF', intendedDestination: 'IR', category: 'refugee' },
    }),
  );
  // Türkiye on IR>TR>GR: four usual weeks of 8 a day, then a week of 40 a day, up to two days before now: a critical surge.
  const tr = Array.from({ length: 35 }, (_, d) =>
    Array.from({ length: d < 28 ? 8 : 40 }, () =>
      movementRecorded({
        provider: 'TR',
        occurredOn: addDays(today, d - 36),
        data: { borderCrossingPoint: 'TR-KAPIKOY', departedFrom: 'IR', intendedDestination: 'GR', category: 'asylum_seeker' },
      }),
    ),
  ).flat();

  let emergencyId = '';

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('emergencies', { env: { CONSUME: 'false' }, override: (b) => b.overrideProvider(CLOCK).useValue(clock) });
    ({ app, pool } = aggregator);
    for (const who of ['secretariat', 'org:UNHCR', 'org:IOM', 'org:TWIN', 'state:IR', 'state:PK', 'state:TR'])
      keys.set(who, bearer(await issueKey(aggregator.url, 'aggregator', who, 'reader')));
    await ingestAgreements(grants);
    await regionalIngests(pool, 'g', testSigningKeys().registry()).movements.ingest([...ir, ...pk, ...tr].map(msg));
    await cutRelease(pool, { dataUntil: addDays(today, -2), by: 'test', reason: null });
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  it('lets only the secretariat declare and end, refuses bad declarations with every problem, and a second end (409)', async () => {
    const body = { routes: ['AF>IR>TR'], days: 5, reason: 'test' };
    expect((await call('POST', '/v1/emergencies', 'org:UNHCR', body)).json()).toMatchObject({ code: 'EMERGENCY.FORBIDDEN' });
    expect((await call('POST', '/v1/emergencies', 'state:IR', body)).statusCode).toBe(403);
    const bad = await call('POST', '/v1/emergencies', 'secretariat', {
      routes: ['AF>GR>TR', 'AF-IR-TR'],
      borderCrossingPoints: ['IR-NOWHERE'],
      days: 91,
      reason: ' ',
    });
    expect(bad.statusCode).toBe(422);
    expect((bad.json().errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['borderCrossingPoints', 'days', 'reason', 'routes', 'routes']);
    expect((await call('POST', '/v1/emergencies', 'secretariat', { days: 5, reason: 'nothing in it' })).statusCode).toBe(422);
    expect((await pool.query('SELECT count(*)::int AS n FROM secretariat_events')).rows[0].n).toBe(0);

    const declared = await call('POST', '/v1/emergencies', 'secretariat', body);
    expect(declared.statusCode).toBe(201);
    const id = (declared.json() as EmergencyView).emergencyId;
    expect((await call('POST', `/v1/emergencies/${id}/end`, 'org:UNHCR', { reason: 'mine' })).statusCode).toBe(403);
    const ends = await Promise.all([1, 2].map(() => call('POST', `/v1/emergencies/${id}/end`, 'secretariat', { reason: 'over' })));
    expect(ends.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(ends.find((r) => r.statusCode === 409)!.json().code).toMatch(/^(EMERGENCY\.ENDED|SECRETARIAT\.CONFLICT)$/);
    expect((await call('POST', `/v1/emergencies/${id}/end`, 'secretariat', { reason: 'again' })).json()).toMatchObject({ code: 'EMERGENCY.ENDED' });
    expect((await call('GET', '/v1/emergencies/01963c4e-0000-7000-8000-000000000000', 'org:IOM')).json()).toMatchObject({ code: 'EMERGENCY.NOT_FOUND' });
  });

  it('declares the emergency: everyone sees it, each state its own terms, the secretariat all; nothing applies before an activation', async () => {
    const res = await call('POST', '/v1/emergencies', 'secretariat', {
      routes: ['AF>IR>TR', 'AF>PK>IR', 'IR>TR>GR'],
      days: 30,
      reason: 'Mass arrivals after the earthquake',
    });
    expect(res.statusCode).toBe(201);
    emergencyId = (res.json() as EmergencyView).emergencyId;
    const asSecretariat = await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'secretariat');
    expect(asSecretariat).toMatchObject({ status: 'in-force', statesConcerned: ['IR', 'PK', 'TR'], appliesToYou: [] });
    expect(asSecretariat.terms.map((t) => [t.provider, t.status])).toEqual([
      ['IR', 'not-activated'],
      ['TR', 'not-activated'],
    ]);
    expect((await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'state:IR')).terms.map((t) => t.provider)).toEqual(['IR']);
    expect((await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'state:PK')).terms).toEqual([]);
    expect((await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'org:UNHCR')).terms).toEqual([]);
    expect((await ok<{ emergencies: EmergencyView[] }>('/v1/emergencies', 'org:IOM')).emergencies.map((e) => e.emergencyId)[0]).toBe(emergencyId);

    const before = await flows('secretariat', { emergency: emergencyId, granularity: 'day', groupBy: 'route', providers: 'IR' });
    expect(before.granularity).toBe('month');
    expect(before.disclosure.emergency).toMatchObject({ id: emergencyId, status: 'in-force', underEmergencyTerms: [] });
    expect(await flows('org:UNHCR', { emergency: emergencyId, granularity: 'day', groupBy: 'route', providers: 'IR' })).toMatchObject({ granularity: 'month' });
  });

  it('after Iran activates at its node: the secretariat’s answer is exactly what an ordinary grant of those terms gives, limited to the scope', async () => {
    await ingestAgreements([emergencyTermsActivated(irSec, emergencyId)]);
    const q = { granularity: 'day', groupBy: 'route,borderCrossingPoint,sex,category', providers: 'IR' };
    const under = await flows('secretariat', { ...q, emergency: emergencyId });
    expect(under.granularity).toBe('day');
    expect(under.disclosure.agreements).toEqual([
      expect.objectContaining({
        provider: 'IR',
        agreement: irSec.data.agreementId,
        minCellSize: 5,
        emergency: expect.objectContaining({ id: emergencyId, by: 'at-node', as: 'direct' }),
      }),
    ]);
    expect(under.disclosure.emergency?.underEmergencyTerms).toEqual(['IR']);
    // The yardstick: Iran's terms as an ordinary grant, asked for the scope's route.
    const twin = await flows('org:TWIN', { ...q, routes: 'AF>IR>TR' });
    expect({ rows: under.rows, totals: under.totals }).toEqual({ rows: twin.rows, totals: twin.totals });
    expect(under.rows.length).toBeGreaterThanOrEqual(3);
    // Nothing outside the scope, no victims of trafficking, and no part of 1 … k−1.
    expect(under.rows.every((r) => r.route === 'AF>IR>TR' && r.category !== 'victim_of_trafficking' && (r.count === 0 || r.count >= 5))).toBe(true);
    // The ordinary question still gets the ordinary answer.
    expect((await flows('secretariat', { ...q, groupBy: 'route' })).granularity).toBe('month');
  });

  it('a further recipient gets the cut at its own higher k; one the terms do not name gets nothing; filters outside the scope are refused', async () => {
    const unhcr = await flows('org:UNHCR', { emergency: emergencyId, granularity: 'day', groupBy: 'route', providers: 'IR' });
    expect(unhcr.granularity).toBe('day');
    expect(unhcr.disclosure.agreements).toEqual([
      expect.objectContaining({ provider: 'IR', minCellSize: 8, emergency: expect.objectContaining({ as: 'further' }) }),
    ]);
    expect(unhcr.rows.every((r) => r.route === 'AF>IR>TR' && r.count >= 8)).toBe(true);
    expect((await flows('org:IOM', { emergency: emergencyId, granularity: 'day', groupBy: 'route' })).rows).toEqual([]);
    expect((await flows('org:IOM', { emergency: emergencyId, granularity: 'day', groupBy: 'route' })).disclosure.agreements).toEqual([]);

    for (const q of [{ routes: 'AF>IR>AZ' }, { providers: 'KZ' }, { borderCrossingPoints: 'KZ-NURZHOLY' }] as Record<string, string>[]) {
      const res = await call('GET', `/v1/flows?${new URLSearchParams({ from: first, to: last, emergency: emergencyId, ...q })}`, 'org:UNHCR');
      expect({ q, status: res.statusCode, code: res.json().code }).toEqual({ q, status: 400, code: 'EMERGENCY.OUT_OF_SCOPE' });
    }
    expect((await call('GET', `/v1/flows?from=${first}&to=${last}&emergency=01963c4e-0000-7000-8000-000000000000`, 'org:UNHCR')).statusCode).toBe(404);
  });

  it('a critical surge on Türkiye’s route activates its terms on their own; IOM, its further recipient, then gets weekly figures', async () => {
    await runSurgeDetection(pool, DEFAULT_THRESHOLDS, clock());
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM alerts WHERE provider = 'TR' AND severity = 'critical' AND route = 'IR>TR>GR'`)).rows[0].n,
    ).toBeGreaterThan(0);
    const activation = app.get(SurgeActivation);
    expect(await activation.run()).toBe(1);
    expect(await activation.run()).toBe(0);
    const tr = (await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'state:TR')).terms[0];
    expect(tr).toMatchObject({ provider: 'TR', status: 'in-effect', activatedBy: 'critical-surge' });
    expect(tr.alertId).toEqual(expect.any(String));
    const iom = await flows('org:IOM', { emergency: emergencyId, granularity: 'week', groupBy: 'route', from: addDays(today, -40), to: addDays(today, -3) });
    expect(iom.disclosure.agreements).toEqual([
      expect.objectContaining({ provider: 'TR', minCellSize: 5, emergency: expect.objectContaining({ by: 'critical-surge', as: 'further' }) }),
    ]);
    expect(iom.rows.length).toBeGreaterThan(0);
    expect((await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'org:IOM')).appliesToYou.map((a) => a.provider)).toEqual(['TR']);
  });

  it('tells the recipients through their feeds, each release item equal to the REST answer', async () => {
    await app.get(FeedWriter).catchUp();
    const unhcr = await feed('org:UNHCR');
    const kinds = unhcr.map((s) => s.item.kind).filter((k) => k.startsWith('emergency.') || k === 'release.emergency-flows');
    expect(kinds.sort()).toEqual(['emergency.activated', 'emergency.declared', 'emergency.declared', 'emergency.ended', 'release.emergency-flows']);
    const item = unhcr.find((s) => s.item.kind === 'release.emergency-flows')!.item;
    const data = item.data as { agreementId: string; query: Record<string, unknown>; answer: FlowAnswer };
    expect(data.agreementId).toBe(irSec.data.agreementId);
    const query = Object.fromEntries(Object.entries(data.query).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
    expect(data.answer).toEqual(await ok(`/v1/flows?${new URLSearchParams(query)}`, 'org:UNHCR'));
    const iom = (await feed('org:IOM')).map((s) => s.item);
    expect(iom.find((i) => i.kind === 'emergency.activated')?.data).toMatchObject({ provider: 'TR', by: 'critical-surge' });
    expect(iom.some((i) => i.kind === 'release.emergency-flows')).toBe(true);
    // Pakistan, concerned but without terms, hears of the declaration only; TWIN hears nothing of it.
    expect((await feed('state:PK')).map((s) => s.item.kind).filter((k) => k.startsWith('emergency.'))).toEqual(['emergency.declared']);
    expect((await feed('org:TWIN')).filter((s) => s.item.kind.startsWith('emergency.'))).toEqual([]);
  });

  it('each state lists what was shared under its terms; the secretariat every state’s; an organisation may not', async () => {
    type Shared = { entries: { principal: string; endpoint: string; agreements: { provider: string; emergency: { id: string } }[] }[] };
    const irList = await ok<Shared>(`/v1/emergencies/${emergencyId}/shared`, 'state:IR');
    expect(new Set(irList.entries.map((e) => e.principal))).toEqual(new Set(['secretariat', 'org:UNHCR']));
    expect(irList.entries.some((e) => e.endpoint === 'FEED release.emergency-flows')).toBe(true);
    expect(irList.entries.every((e) => e.agreements.every((a) => a.provider === 'IR' && a.emergency.id === emergencyId))).toBe(true);
    expect(JSON.stringify(irList)).not.toMatch(/cellsReturned|"query"/);
    expect((await ok<Shared>(`/v1/emergencies/${emergencyId}/shared`, 'state:PK')).entries).toEqual([]);
    const all = await ok<Shared>(`/v1/emergencies/${emergencyId}/shared`, 'secretariat');
    expect(new Set(all.entries.flatMap((e) => e.agreements.map((a) => a.provider)))).toEqual(new Set(['IR', 'TR']));
    expect((await call('GET', `/v1/emergencies/${emergencyId}/shared`, 'org:UNHCR')).statusCode).toBe(403);
  });

  it('reverts: after maxDays, after a revocation and after the end, the same question gets the ordinary answer, and says so', async () => {
    const q = { emergency: emergencyId, granularity: 'day', groupBy: 'route', providers: 'IR' };
    expect((await flows('org:UNHCR', q)).granularity).toBe('day');
    shiftMs = 11 * 86_400_000; // Iran's maxDays (10) ran out
    const lapsed = await flows('org:UNHCR', q);
    expect(lapsed.granularity).toBe('month');
    expect(lapsed.disclosure.emergency).toMatchObject({ status: 'in-force', underEmergencyTerms: [] });
    expect((await ok<EmergencyView>(`/v1/emergencies/${emergencyId}`, 'state:IR')).terms[0].status).toBe('no-longer');

    const trQ = { emergency: emergencyId, granularity: 'week', groupBy: 'route', providers: 'TR', from: addDays(today, -40), to: addDays(today, -3) };
    expect((await flows('org:IOM', trQ)).rows.length).toBeGreaterThan(0);
    await ingestAgreements([agreementRevoked(trSec, 2)]);
    expect((await flows('org:IOM', trQ)).rows).toEqual([]);

    const ended = await call('POST', `/v1/emergencies/${emergencyId}/end`, 'secretariat', { reason: 'Arrivals back to usual' });
    expect(ended.json()).toMatchObject({ status: 'ended' });
    const after = await flows('secretariat', { ...q, groupBy: 'route,borderCrossingPoint' });
    expect(after.disclosure.emergency).toMatchObject({ status: 'ended', underEmergencyTerms: [] });
    expect(after.disclosure.notes.join(' ')).toMatch(/is over since/);
    expect(after.rows).toEqual([]); // Iran's grant does not allow crossing points outside an emergency
    await app.get(FeedWriter).catchUp();
    expect((await feed('org:UNHCR')).filter((s) => s.item.kind === 'emergency.ended' && s.item.id === `emergency/${emergencyId}/ended`)).toHaveLength(1);
  });
});
