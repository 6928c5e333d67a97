import { agreementGranted, movementRecorded, RunningRegion, startRegion, waitFor } from '@caravanserai/testing';
import type { FeedItem, StoredFeedItem } from '../../apps/aggregator/src/answers/feed-item';
import type { FlowAnswer } from '../../apps/aggregator/src/answers/flow-answer';
import { ForecastAnswer, forecastFromFlows, ScenarioLimits } from '../../apps/aggregator/src/forecast/domain/served-forecast';

/**
 * Issue 17's story on the real services: the aggregator and Iran's national node as processes,
 * Kafka between them (libs/testing's startRegion). Before the surge, the secretariat records
 * contingency scenarios: a planning figure and reception capacity on Türkiye's IR>TR>GR, the route
 * that will surge, and one on Iran's AF>IR>TR. A surge is planted on IR>TR>GR and a release cut:
 * the forecast, as the secretariat and as the Red Crescent (org:IFRC, granted Türkiye's weekly
 * figures), shows the route going over its planning figure and capacity, and the
 * `forecast.exceedance` item reaches exactly the feeds of those whose own forecast alerts, equal
 * to what GET /v1/forecasts answers each of them for the same release. Then the emergency: three
 * states: Türkiye agreed emergency terms that take effect on a critical surge (IOM a further
 * recipient), Iran terms it activates at its own node (UNHCR a further recipient), Pakistan none.
 * The surge on Türkiye's route turns critical; the secretariat declares an emergency on the three
 * states' routes; Türkiye's terms take effect at once, Iran's only after it activates them at its
 * node (through agreements.v1), Pakistan's answer does not change; the recipients' answers and
 * feeds change exactly as the terms say and revert when the emergency ends; the audit trail and
 * each state's list show what was shared.
 */
describe('emergency preparedness, end to end', () => {
  let region: RunningRegion;
  const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  // The surge fills the last whole ISO week before the release's dataUntil (yesterday) and runs on
  // to yesterday, so the forecast's last week and the surge detector's recent week both hold it,
  // whatever the weekday; four usual weeks before it.
  const lastSunday = addDays(yesterday, -new Date(`${yesterday}T00:00:00Z`).getUTCDay());
  const surgeFrom = addDays(lastSunday, -6);
  const trFrom = addDays(surgeFrom, -28);
  const from = addDays(today, -20);
  const to = addDays(today, -7);
  const READERS = ['secretariat', 'org:UNHCR', 'org:IOM', 'org:IFRC', 'state:IR', 'state:TR', 'state:PK'];

  const trTerms = {
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    embargoDays: 0,
    dimensions: [],
    recipients: ['org:IOM'],
    maxDays: 30,
    activation: 'on-critical-surge',
  } as const;
  const irTerms = {
    minTimeGranularity: 'day',
    minGeoGranularity: 'border_crossing_point',
    embargoDays: 0,
    dimensions: ['borderCrossingPoint'],
    recipients: ['org:UNHCR'],
    maxDays: 30,
    activation: 'at-node',
  } as const;
  // Türkiye shares its route figures weekly with the secretariat (emergency terms: IOM further) and with the Red Crescent.
  const trGrant = agreementGranted('TR', {
    recipient: 'secretariat',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
    emergency: { ...trTerms, dimensions: [], recipients: [...trTerms.recipients] },
  });
  const trIfrcGrant = agreementGranted('TR', {
    recipient: 'org:IFRC',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
  });
  const pkGrant = agreementGranted('PK', {
    recipient: 'secretariat',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 3,
  });
  let irGrantId = '';
  const scenarios = [
    {
      target: 'IR>TR>GR',
      planningFigure: 150,
      places: [
        { name: 'Kapıköy reception centre', capacityPerDay: 15 },
        { name: 'Van transit site', capacityPerDay: 10 },
      ],
      reason: 'Spring scenario agreed at the regional meeting (e2e)',
    },
    { target: 'AF>IR>TR', planningFigure: 20, capacityPerDay: 4, reason: 'Winter scenario for the Dogharoun crossing (e2e)' },
  ];

  const movements = [
    // Türkiye, IR>TR>GR: four usual weeks of 8 a day, then 40 a day from the surge's Monday to yesterday.
    ...Array.from({ length: (Date.parse(yesterday) - Date.parse(trFrom)) / 86_400_000 + 1 }, (_, d) => addDays(trFrom, d)).flatMap((day) =>
      Array.from({ length: day < surgeFrom ? 8 : 40 }, () =>
        movementRecorded({
          provider: 'TR',
          occurredOn: day,
          data: { borderCrossingPoint: 'TR-KAPIKOY', departedFrom: 'IR', intendedDestination: 'GR', category: 'asylum_seeker' },
        }),
      ),
    ),
    // Iran, AF>IR>TR: a few a day at Dogharoun.
    ...Array.from({ length: 14 }, (_, d) =>
      Array.from({ length: 3 + (d % 4) }, () =>
        movementRecorded({
          provider: 'IR',
          occurredOn: addDays(from, d),
          data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR', category: 'refugee' },
        }),
      ),
    ).flat(),
    // Pakistan, AF>PK>IR.
    ...Array.from({ length: 14 }, (_, d) =>
      Array.from({ length: 4 }, () =>
        movementRecorded({
          provider: 'PK',
          occurredOn: addDays(from, d),
          data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'AF', intendedDestination: 'IR', category: 'refugee' },
        }),
      ),
    ).flat(),
  ];
  const call = async <T>(method: 'GET' | 'POST', path: string, who: string, body?: object): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${region.aggregator.url}${path}`, {
      method,
      headers: { ...region.as(who), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const get = <T>(path: string, who: string): Promise<T> => region.get<T>(path, who);
  const asQuery = (q: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(q)
        .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    );
  type Answer = {
    granularity: string;
    rows: { period: string; count: number }[];
    totals: { count: number };
    disclosure: {
      agreements: { provider: string; minCellSize: number; emergency?: { by: string; as: string } }[];
      emergency?: { status: string; underEmergencyTerms: string[] };
      notes: string[];
    };
  };
  const flows = (who: string, q: Record<string, string>) => get<Answer>(`/v1/flows?${new URLSearchParams({ from, to, groupBy: 'route', ...q })}`, who);
  const feed = async (who: string): Promise<FeedItem[]> => (await get<{ items: StoredFeedItem[] }>('/v1/feed?limit=500', who)).items.map((s) => s.item);
  type Terms = { provider: string; status: string; activatedBy: string | null; alertId: string | null };
  const termsOf = async (id: string, who = 'secretariat') => (await get<{ terms: Terms[] }>(`/v1/emergencies/${id}`, who)).terms;
  type Scenario = ScenarioLimits & { targetKind: string; capacityPerWeek: number | null; recordedBy: string; history: unknown[] };

  beforeAll(async () => {
    region = await startRegion({
      name: 'e2e-emerg',
      states: ['IR'],
      readers: READERS,
      aggregatorEnv: { ALERTS_INTERVAL_MS: '2000', ALERTS_PROGRESS_GAP_MS: '1000' },
    });
  });

  afterAll(() => region?.close());

  let releaseId = 0;

  it('records the planning figures before the surge; the forecast goes over them and its alert reaches exactly those whose forecast says so', async () => {
    // Before anything happens, the secretariat records its scenarios; nobody else may.
    expect((await call('POST', '/v1/scenarios', 'org:UNHCR', scenarios[0])).status).toBe(403);
    for (const scenario of scenarios) {
      const set = await call<Scenario>('POST', '/v1/scenarios', 'secretariat', scenario);
      expect([scenario.target, set.status]).toEqual([scenario.target, 201]);
    }
    const listed = (await get<{ scenarios: Scenario[] }>('/v1/scenarios', 'state:TR')).scenarios;
    const trScenario = listed.find((s) => s.target === 'IR>TR>GR')!;
    // The capacity is the sum of the places', kept with who recorded it, as version 1.
    expect(trScenario).toMatchObject({
      targetKind: 'route',
      version: 1,
      planningFigure: 150,
      capacityPerDay: 25,
      capacityPerWeek: 175,
      recordedBy: 'secretariat',
    });
    const limits: ScenarioLimits[] = listed.map((s) => ({
      target: s.target,
      version: s.version,
      planningFigure: s.planningFigure,
      capacityPerDay: s.capacityPerDay,
    }));
    const routes = listed.filter((s) => s.targetKind === 'route').map((s) => s.target);
    expect(routes.sort()).toEqual(['AF>IR>TR', 'IR>TR>GR']);

    // The data, then the grants: Türkiye's and Pakistan's straight to the broker, Iran's at its node.
    await region.publish('movements', movements);
    await waitFor(
      async () => Number((await region.pool.query(`SELECT count(*) AS n FROM regional_events WHERE type = 'MovementRecorded'`)).rows[0].n) === movements.length,
      { timeoutMs: 120_000, what: 'every movement received' },
    );
    await region.publish('agreements', [trGrant, trIfrcGrant, pkGrant]);
    irGrantId = await region.grant('IR', {
      recipient: 'secretariat',
      scope: { eventKinds: ['movements'] },
      dimensions: ['route', 'provider'],
      minTimeGranularity: 'month',
      minGeoGranularity: 'country',
      minCellSize: 5,
      embargoDays: 0,
      validFrom: '2020-01-01',
      validUntil: null,
      purpose: 'regional picture',
      emergency: irTerms,
    });
    await waitFor(async () => Number((await region.pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts')).rows[0].n) === movements.length, {
      timeoutMs: 120_000,
      what: 'every movement projected',
    });
    await waitFor(
      async () =>
        (await get<{ alerts: { severity: string; route: string | null }[] }>('/v1/alerts', 'state:TR')).alerts.some(
          (a) => a.severity === 'critical' && a.route === 'IR>TR>GR',
        ),
      { timeoutMs: 60_000, what: "the critical surge on Türkiye's route" },
    );
    releaseId = (await region.release({ dataUntil: yesterday, reason: 'emergencies e2e' })).id;

    // The forecast, as the secretariat and as the Red Crescent: each the forecaster applied to its own weekly flows answer.
    const forecastPath = `/v1/forecasts?${new URLSearchParams({ routes: routes.join(',') })}`;
    for (const who of ['secretariat', 'org:IFRC']) {
      const answer = await get<ForecastAnswer>(forecastPath, who);
      expect(answer.release?.id).toBe(releaseId);
      const own = await get<FlowAnswer>(`/v1/flows?${asQuery(answer.flowsQuery as unknown as Record<string, unknown>)}`, who);
      expect(answer).toEqual(JSON.parse(JSON.stringify(forecastFromFlows(own, limits, answer.query, answer.flowsQuery))));
      const tr = answer.series.find((s) => s.route === 'IR>TR>GR')!;
      expect(tr.scenario).toMatchObject({
        version: trScenario.version,
        planningFigure: trScenario.planningFigure,
        capacityPerDay: trScenario.capacityPerDay,
        capacityPerWeek: trScenario.capacityPerWeek,
      });
      // The history is the published weekly rows, up to the surge week; the usual weeks are under the figure, the surge week over it.
      const surgeWeek = tr.history.at(-1)!;
      expect(surgeWeek.start).toBe(surgeFrom);
      expect(surgeWeek.count).toBe(own.rows.filter((r) => r.route === 'IR>TR>GR' && r.period === surgeWeek.week).reduce((n, r) => n + r.count, 0));
      expect(tr.history.slice(0, -1).every((w) => w.count < trScenario.planningFigure!)).toBe(true);
      expect(surgeWeek.count).toBeGreaterThan(trScenario.capacityPerWeek!);
      // Both figures alerted, the point forecast over them from the first week.
      expect(tr.alerts.map((a) => [a.figure, a.limit, a.expected, a.expectedWeek])).toEqual([
        ['planningFigure', trScenario.planningFigure, true, tr.forecast!.weeks[0].week],
        ['capacity', trScenario.capacityPerWeek, true, tr.forecast!.weeks[0].week],
      ]);
      expect(tr.forecast!.weeks[0].point).toBeGreaterThan(trScenario.capacityPerWeek!);
      expect(answer.alerts).toEqual(tr.alerts);
      // Iran shares only monthly figures with the secretariat and nothing with the Red Crescent: its route shows nothing.
      expect(answer.series.find((s) => s.route === 'AF>IR>TR')).toMatchObject({ history: [], forecast: null, alerts: [] });
    }
    expect((await get<ForecastAnswer>(forecastPath, 'secretariat')).disclosure.leftOut).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: 'IR', reason: expect.stringMatching(/month/) })]),
    );

    // The alert in the feeds: one forecast.exceedance item per route whose forecast alerts for that
    // recipient, equal to what GET /v1/forecasts answers it for the same release; nothing for the others.
    const exceedances = async (who: string) => (await feed(who)).filter((i) => i.kind === 'forecast.exceedance');
    const first = await waitFor(async () => (await exceedances('secretariat')).find((i) => i.id.startsWith(`forecast/${releaseId}/`)) ?? null, {
      timeoutMs: 60_000,
      what: "the forecast alert in the secretariat's feed",
    });
    const fedRoutes = (first.data as { flowsQuery: { routes: string[] } }).flowsQuery.routes;
    const received = new Map<string, string[]>();
    for (const who of READERS) {
      const rest = await get<ForecastAnswer>(`/v1/forecasts?${new URLSearchParams({ routes: fedRoutes.join(',') })}`, who);
      const items = await exceedances(who);
      const alerting = rest.series.filter((s) => s.alerts.length > 0);
      expect([who, items.map((i) => i.id).sort()]).toEqual([who, alerting.map((s) => `forecast/${releaseId}/${s.route}/${s.scenario!.version}`).sort()]);
      for (const series of alerting) {
        const item = items.find((i) => i.data && (i.data as { route: string }).route === series.route)!;
        expect(item.data).toEqual({
          release: expect.objectContaining({ id: releaseId }),
          route: series.route,
          scenario: series.scenario,
          alerts: series.alerts,
          forecast: series.forecast,
          history: series.history.slice(-12),
          flowsQuery: rest.flowsQuery,
          disclosure: rest.disclosure,
        });
      }
      received.set(
        who,
        alerting.map((s) => s.route),
      );
    }
    expect(received.get('secretariat')).toEqual(['IR>TR>GR']);
    expect(received.get('org:IFRC')).toEqual(['IR>TR>GR']);
    for (const who of ['org:UNHCR', 'org:IOM', 'state:PK']) expect([who, received.get(who)]).toEqual([who, []]);
    // Türkiye's audit trail (about=mine: the others' uses of its data) names every other recipient its figures reached in a forecast alert.
    const trAudit = await get<{ entries: { principal: string; endpoint: string }[] }>('/v1/audit?about=mine&limit=500', 'state:TR');
    const fedTo = [...received].filter(([who, r]) => who !== 'state:TR' && r.includes('IR>TR>GR')).map(([who]) => who);
    expect(new Set(trAudit.entries.filter((e) => e.endpoint === 'FEED forecast.exceedance').map((e) => e.principal))).toEqual(new Set(fedTo));
  });

  it('takes each state’s terms as agreed, and their activation as each state said, and reverts at the end', async () => {
    expect(releaseId).toBeGreaterThan(0);
    const ordinary = {
      iom: await flows('org:IOM', { providers: 'TR', granularity: 'week', from: addDays(today, -40) }),
      unhcr: await flows('org:UNHCR', { providers: 'IR', granularity: 'day' }),
      pk: await flows('secretariat', { providers: 'PK', granularity: 'day', routes: 'AF>PK>IR' }),
    };
    expect(ordinary.iom.rows).toEqual([]);
    expect(ordinary.unhcr.rows).toEqual([]);

    // The secretariat declares the emergency; nobody else may.
    const body = { routes: ['AF>IR>TR', 'AF>PK>IR', 'IR>TR>GR'], days: 30, reason: 'Mass arrivals (e2e)' };
    expect((await call('POST', '/v1/emergencies', 'org:UNHCR', body)).status).toBe(403);
    const declared = await call<{ emergencyId: string }>('POST', '/v1/emergencies', 'secretariat', body);
    expect(declared.status).toBe(201);
    const id = declared.body.emergencyId;

    // Türkiye's terms take effect on their own, on the critical alert; Iran's do not yet.
    const tr = await waitFor(async () => (await termsOf(id)).find((t) => t.provider === 'TR' && t.status === 'in-effect') ?? null, {
      timeoutMs: 30_000,
      what: "Türkiye's automatic activation",
    });
    expect(tr).toMatchObject({ activatedBy: 'critical-surge', alertId: expect.any(String) });
    expect((await termsOf(id)).find((t) => t.provider === 'IR')).toMatchObject({ status: 'not-activated' });
    const iom = await flows('org:IOM', { providers: 'TR', granularity: 'week', from: addDays(today, -40), emergency: id });
    expect(iom.granularity).toBe('week');
    expect(iom.rows.length).toBeGreaterThan(0);
    expect(iom.disclosure.agreements).toEqual([
      expect.objectContaining({ provider: 'TR', minCellSize: 5, emergency: expect.objectContaining({ by: 'critical-surge', as: 'further' }) }),
    ]);
    expect((await flows('org:UNHCR', { providers: 'IR', granularity: 'day', emergency: id })).rows).toEqual([]);
    // Pakistan, without terms: the same figures under the emergency as without.
    const pk = await flows('secretariat', { providers: 'PK', granularity: 'day', emergency: id });
    expect({ granularity: pk.granularity, rows: pk.rows, totals: pk.totals }).toEqual({
      granularity: ordinary.pk.granularity,
      rows: ordinary.pk.rows,
      totals: ordinary.pk.totals,
    });
    expect(pk.disclosure.agreements[0].emergency).toBeUndefined();

    // Iran activates at its own node: the event goes through agreements.v1 to the aggregator.
    const activated = await fetch(`${region.node('IR').url}/v1/agreements/${irGrantId}/emergency-activations`, {
      method: 'POST',
      headers: { ...region.nodeAdmin('IR'), 'content-type': 'application/json' },
      body: JSON.stringify({ emergencyId: id, reason: 'our terms apply' }),
    });
    expect(activated.status).toBe(201);
    await waitFor(async () => (await termsOf(id, 'state:IR')).some((t) => t.status === 'in-effect') || null, {
      timeoutMs: 30_000,
      what: "Iran's activation at the aggregator",
    });
    const unhcr = await flows('org:UNHCR', { providers: 'IR', granularity: 'day', emergency: id });
    expect(unhcr.granularity).toBe('day');
    expect(unhcr.rows.length).toBeGreaterThan(0);
    expect(unhcr.rows.every((r) => r.count >= 5)).toBe(true);
    expect(unhcr.disclosure.agreements).toEqual([
      expect.objectContaining({ provider: 'IR', minCellSize: 5, emergency: expect.objectContaining({ by: 'at-node', as: 'further' }) }),
    ]);

    // The feeds: declarations, activations (Türkiye's with its alert), and the release under the terms, equal to REST.
    const unhcrItems = await waitFor(
      async () => {
        const items = await feed('org:UNHCR');
        return items.some((i) => i.kind === 'release.emergency-flows') ? items : null;
      },
      { timeoutMs: 30_000, what: "UNHCR's release item under Iran's emergency terms" },
    );
    expect(
      unhcrItems
        .map((i) => i.kind)
        .filter((k) => k.startsWith('emergency.'))
        .sort(),
    ).toEqual(['emergency.activated', 'emergency.declared']);
    const release = unhcrItems.find((i) => i.kind === 'release.emergency-flows')!.data as {
      agreementId: string;
      query: Record<string, unknown>;
      answer: Answer;
    };
    expect(release.agreementId).toBe(irGrantId);
    const releaseQuery = Object.fromEntries(Object.entries(release.query).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
    expect(release.answer).toEqual(await get(`/v1/flows?${new URLSearchParams(releaseQuery)}`, 'org:UNHCR'));
    const iomItems = await waitFor(
      async () => {
        const items = await feed('org:IOM');
        return items.some((i) => i.kind === 'release.emergency-flows') ? items : null;
      },
      { timeoutMs: 30_000, what: "IOM's release item under Türkiye's emergency terms" },
    );
    expect(iomItems.find((i) => i.kind === 'emergency.activated')?.data).toMatchObject({ provider: 'TR', by: 'critical-surge', alertId: tr!.alertId });
    expect((await feed('state:PK')).map((i) => i.kind).filter((k) => k.startsWith('emergency.'))).toEqual(['emergency.declared']);

    // The end: the same questions get the ordinary answers again, and say so; the feeds are told.
    expect((await call('POST', `/v1/emergencies/${id}/end`, 'secretariat', { reason: 'back to usual' })).status).toBe(201);
    const after = await flows('org:UNHCR', { providers: 'IR', granularity: 'day', emergency: id });
    expect(after.rows).toEqual([]);
    expect(after.disclosure.emergency).toMatchObject({ status: 'ended', underEmergencyTerms: [] });
    expect((await flows('org:IOM', { providers: 'TR', granularity: 'week', from: addDays(today, -40), emergency: id })).rows).toEqual([]);
    await waitFor(async () => (await feed('org:IOM')).some((i) => i.kind === 'emergency.ended') || null, { timeoutMs: 30_000, what: 'the end in IOM’s feed' });

    // What was shared: each state's own list, and the secretariat's of all.
    type Shared = { entries: { principal: string; endpoint: string; agreements: { provider: string }[] }[] };
    const irList = await get<Shared>(`/v1/emergencies/${id}/shared`, 'state:IR');
    // UNHCR (further recipient) and the secretariat (the grant's own recipient, through its feed).
    expect(new Set(irList.entries.map((e) => e.principal))).toEqual(new Set(['org:UNHCR', 'secretariat']));
    expect(irList.entries.map((e) => e.endpoint)).toEqual(expect.arrayContaining(['GET /v1/flows', 'FEED release.emergency-flows']));
    const trList = await get<Shared>(`/v1/emergencies/${id}/shared`, 'state:TR');
    expect(new Set(trList.entries.map((e) => e.principal))).toEqual(new Set(['org:IOM', 'secretariat']));
    expect((await get<Shared>(`/v1/emergencies/${id}/shared`, 'state:PK')).entries).toEqual([]);
    const all = await get<Shared>(`/v1/emergencies/${id}/shared`, 'secretariat');
    expect(new Set(all.entries.flatMap((e) => e.agreements.map((a) => a.provider)))).toEqual(new Set(['IR', 'TR']));
    // The audit trail as stored (the admin) carries the emergency on each such entry.
    const trail = (await (await fetch(`${region.aggregator.url}/v1/audit?principal=org:UNHCR&limit=500`, { headers: region.as('admin') })).json()) as {
      entries: { agreements: { emergency?: { id: string } }[] }[];
    };
    expect(trail.entries.some((e) => e.agreements.some((a) => a.emergency?.id === id))).toBe(true);
  });
});
