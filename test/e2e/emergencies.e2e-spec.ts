import { TOPICS, topicName } from '@caravanserai/contracts';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import { grantAgreement } from '@caravanserai/synthetic';
import { agreementGranted, bearer, dropTestDatabase, freshTestDatabase, issueKey, movementRecorded, portBlock, ServiceProcess, TEST_KAFKA_BROKERS, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Partitioners, Producer } from 'kafkajs';
import { Pool } from 'pg';
import type { StoredFeedItem } from '../../apps/aggregator/src/feeds/domain/feed-item';

/**
 * A declared emergency on the real services (issue 17): the aggregator and Iran's national node as
 * processes, Kafka between them. Three states: Türkiye agreed emergency terms that take effect on a
 * critical surge (IOM a further recipient), Iran terms it activates at its own node (UNHCR a
 * further recipient), Pakistan none. A surge planted on Türkiye's route turns critical; the
 * secretariat declares an emergency on the three states' routes; Türkiye's terms take effect at
 * once, Iran's only after it activates them at its node (through agreements.v1), Pakistan's answer
 * does not change; the recipients' answers and feeds change exactly as the terms say and revert
 * when the emergency ends; the audit trail and each state's list show what was shared.
 * (The forecast's steps are added to this spec by the planning-figures work.)
 */
describe('emergencies, end to end', () => {
  const suffix = uniqueSuffix();
  const prefix = `e2e-emerg-${suffix}.`;
  const port = portBlock();
  const keys = testSigningKeys();
  const topics = { movements: topicName(TOPICS.movements, prefix), agreements: topicName(TOPICS.agreements, prefix), referrals: topicName(TOPICS.referrals, prefix) };
  const today = new Date().toISOString().slice(0, 10);
  const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const from = addDays(today, -20);
  const to = addDays(today, -7);
  const databases: string[] = [];
  const services: ServiceProcess[] = [];
  let aggregator: ServiceProcess;
  let irNode: ServiceProcess;
  let pool: Pool;
  let producer: Producer;
  let admin: Record<string, string> = {};
  let irAdmin: Record<string, string> = {};
  const reader = new Map<string, Record<string, string>>();

  const trTerms = { minTimeGranularity: 'week', minGeoGranularity: 'country', embargoDays: 0, dimensions: [], recipients: ['org:IOM'], maxDays: 30, activation: 'on-critical-surge' } as const;
  const irTerms = { minTimeGranularity: 'day', minGeoGranularity: 'border_crossing_point', embargoDays: 0, dimensions: ['borderCrossingPoint'], recipients: ['org:UNHCR'], maxDays: 30, activation: 'at-node' } as const;
  const trGrant = agreementGranted('TR', { recipient: 'secretariat', dimensions: ['route', 'provider'], minTimeGranularity: 'month', minGeoGranularity: 'country', minCellSize: 5, emergency: { ...trTerms, dimensions: [], recipients: [...trTerms.recipients] } });
  const pkGrant = agreementGranted('PK', { recipient: 'secretariat', dimensions: ['route', 'provider'], minTimeGranularity: 'month', minGeoGranularity: 'country', minCellSize: 3 });
  let irGrantId = '';

  const movements = [
    // Türkiye, IR>TR>GR: four usual weeks of 8 a day, then a week of 40 a day, up to two days ago.
    ...Array.from({ length: 35 }, (_, d) => Array.from({ length: d < 28 ? 8 : 40 }, () => movementRecorded({ provider: 'TR', occurredOn: addDays(today, d - 36), data: { borderCrossingPoint: 'TR-KAPIKOY', departedFrom: 'IR', intendedDestination: 'GR', category: 'asylum_seeker' } }))).flat(),
    // Iran, AF>IR>TR: a few a day at Dogharoun.
    ...Array.from({ length: 14 }, (_, d) => Array.from({ length: 3 + (d % 4) }, () => movementRecorded({ provider: 'IR', occurredOn: addDays(from, d), data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR', category: 'refugee' } }))).flat(),
    // Pakistan, AF>PK>IR.
    ...Array.from({ length: 14 }, (_, d) => Array.from({ length: 4 }, () => movementRecorded({ provider: 'PK', occurredOn: addDays(from, d), data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'AF', intendedDestination: 'IR', category: 'refugee' } }))).flat(),
  ];
  const publish = async (topic: string, events: { provider: string; streamId: string }[]) => {
    for (let i = 0; i < events.length; i += 500) await producer.send({ topic, messages: events.slice(i, i + 500).map((e) => ({ key: e.streamId, value: JSON.stringify(keys.sign(e as never)) })) });
  };
  const call = async <T>(method: 'GET' | 'POST', path: string, who: string, body?: object): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${aggregator.url}${path}`, { method, headers: { ...reader.get(who), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as T };
  };
  const get = async <T>(path: string, who: string): Promise<T> => {
    const res = await call<T>('GET', path, who);
    if (res.status !== 200) throw new Error(`GET ${path} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  type Answer = { granularity: string; rows: { period: string; count: number }[]; totals: { count: number }; disclosure: { agreements: { provider: string; minCellSize: number; emergency?: { by: string; as: string } }[]; emergency?: { status: string; underEmergencyTerms: string[] }; notes: string[] } };
  const flows = (who: string, q: Record<string, string>) => get<Answer>(`/v1/flows?${new URLSearchParams({ from, to, groupBy: 'route', ...q })}`, who);
  const feed = async (who: string) => (await get<{ items: StoredFeedItem[] }>('/v1/feed?limit=500', who)).items.map((s) => s.item);
  type Terms = { provider: string; status: string; activatedBy: string | null; alertId: string | null };
  const termsOf = async (id: string, who = 'secretariat') => (await get<{ terms: Terms[] }>(`/v1/emergencies/${id}`, who)).terms;

  beforeAll(async () => {
    const common = { KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), TOPIC_PREFIX: prefix, ...keys.aggregatorEnv() };
    const aggDb = await freshTestDatabase('e2e_emerg_agg');
    databases.push(aggDb);
    aggregator = await ServiceProcess.start('aggregator-emerg', 'dist/apps/aggregator/src/main.js', { ...common, DATABASE_URL: aggDb, CONSUMER_GROUP: `e2e-emerg-${suffix}`, ALERTS_INTERVAL_MS: '2000', ALERTS_PROGRESS_GAP_MS: '1000' }, port);
    services.push(aggregator);
    // The aggregator made the topics as it wants them; this only makes sure they exist before publishing.
    const kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await ensureTopics(kafkaAdmin, [{ topic: topics.movements, numPartitions: 2 }, { topic: topics.agreements, numPartitions: 1 }, { topic: topics.referrals, numPartitions: 1 }]);
    await kafkaAdmin.disconnect();
    const irDb = await freshTestDatabase('e2e_emerg_node_ir');
    databases.push(irDb);
    irNode = await ServiceProcess.start('node-emerg-IR', 'dist/apps/national-node/src/main.js', { ...common, NODE_STATE: 'IR', ...keys.nodeEnv('IR'), DATABASE_URL: irDb }, port + 1);
    services.push(irNode);
    irAdmin = bearer(await issueKey(irDb, 'node', 'admin', 'admin'));
    pool = new Pool({ connectionString: aggDb, max: 2 });
    admin = bearer(await issueKey(aggDb, 'aggregator', 'admin', 'admin'));
    for (const who of ['secretariat', 'org:UNHCR', 'org:IOM', 'state:IR', 'state:TR', 'state:PK']) reader.set(who, bearer(await issueKey(aggDb, 'aggregator', who, 'reader')));
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await pool?.end();
    await Promise.all(services.map((s) => s.stop()));
    for (const db of databases) await dropTestDatabase(db);
  });

  it('takes each state’s terms as agreed, and their activation as each state said, and reverts at the end', async () => {
    // The data first, then the grants: Türkiye's and Pakistan's straight to the broker, Iran's at its node.
    await publish(topics.movements, movements);
    await waitFor(async () => Number((await pool.query(`SELECT count(*) AS n FROM regional_events WHERE type = 'MovementRecorded'`)).rows[0].n) === movements.length, { timeoutMs: 120_000, what: 'every movement received' });
    await publish(topics.agreements, [trGrant, pkGrant]);
    irGrantId = await grantAgreement(irNode.url, {
      recipient: 'secretariat', scope: { eventKinds: ['movements'] }, dimensions: ['route', 'provider'], minTimeGranularity: 'month', minGeoGranularity: 'country',
      minCellSize: 5, embargoDays: 0, validFrom: '2020-01-01', validUntil: null, purpose: 'regional picture', emergency: irTerms,
    }, irAdmin);
    await waitFor(async () => Number((await pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts')).rows[0].n) === movements.length, { timeoutMs: 120_000, what: 'every movement projected' });
    await waitFor(async () => (await get<{ alerts: { severity: string; route: string | null }[] }>('/v1/alerts', 'state:TR')).alerts.some((a) => a.severity === 'critical' && a.route === 'IR>TR>GR'), { timeoutMs: 60_000, what: "the critical surge on Türkiye's route" });
    const cut = await fetch(`${aggregator.url}/v1/releases`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'emergencies e2e' }) });
    expect(cut.status).toBe(201);
    const ordinary = { iom: await flows('org:IOM', { providers: 'TR', granularity: 'week', from: addDays(today, -40) }), unhcr: await flows('org:UNHCR', { providers: 'IR', granularity: 'day' }), pk: await flows('secretariat', { providers: 'PK', granularity: 'day', routes: 'AF>PK>IR' }) };
    expect(ordinary.iom.rows).toEqual([]);
    expect(ordinary.unhcr.rows).toEqual([]);

    // The secretariat declares the emergency; nobody else may.
    const body = { routes: ['AF>IR>TR', 'AF>PK>IR', 'IR>TR>GR'], days: 30, reason: 'Mass arrivals (e2e)' };
    expect((await call('POST', '/v1/emergencies', 'org:UNHCR', body)).status).toBe(403);
    const declared = await call<{ emergencyId: string }>('POST', '/v1/emergencies', 'secretariat', body);
    expect(declared.status).toBe(201);
    const id = declared.body.emergencyId;

    // Türkiye's terms take effect on their own, on the critical alert; Iran's do not yet.
    const tr = await waitFor(async () => (await termsOf(id)).find((t) => t.provider === 'TR' && t.status === 'in-effect') ?? null, { timeoutMs: 30_000, what: "Türkiye's automatic activation" });
    expect(tr).toMatchObject({ activatedBy: 'critical-surge', alertId: expect.any(String) });
    expect((await termsOf(id)).find((t) => t.provider === 'IR')).toMatchObject({ status: 'not-activated' });
    const iom = await flows('org:IOM', { providers: 'TR', granularity: 'week', from: addDays(today, -40), emergency: id });
    expect(iom.granularity).toBe('week');
    expect(iom.rows.length).toBeGreaterThan(0);
    expect(iom.disclosure.agreements).toEqual([expect.objectContaining({ provider: 'TR', minCellSize: 5, emergency: expect.objectContaining({ by: 'critical-surge', as: 'further' }) })]);
    expect((await flows('org:UNHCR', { providers: 'IR', granularity: 'day', emergency: id })).rows).toEqual([]);
    // Pakistan, without terms: the same figures under the emergency as without.
    const pk = await flows('secretariat', { providers: 'PK', granularity: 'day', emergency: id });
    expect({ granularity: pk.granularity, rows: pk.rows, totals: pk.totals }).toEqual({ granularity: ordinary.pk.granularity, rows: ordinary.pk.rows, totals: ordinary.pk.totals });
    expect(pk.disclosure.agreements[0].emergency).toBeUndefined();

    // Iran activates at its own node: the event goes through agreements.v1 to the aggregator.
    const activated = await fetch(`${irNode.url}/v1/agreements/${irGrantId}/emergency-activations`, { method: 'POST', headers: { ...irAdmin, 'content-type': 'application/json' }, body: JSON.stringify({ emergencyId: id, reason: 'our terms apply' }) });
    expect(activated.status).toBe(201);
    await waitFor(async () => (await termsOf(id, 'state:IR')).some((t) => t.status === 'in-effect') || null, { timeoutMs: 30_000, what: "Iran's activation at the aggregator" });
    const unhcr = await flows('org:UNHCR', { providers: 'IR', granularity: 'day', emergency: id });
    expect(unhcr.granularity).toBe('day');
    expect(unhcr.rows.length).toBeGreaterThan(0);
    expect(unhcr.rows.every((r) => r.count >= 5)).toBe(true);
    expect(unhcr.disclosure.agreements).toEqual([expect.objectContaining({ provider: 'IR', minCellSize: 5, emergency: expect.objectContaining({ by: 'at-node', as: 'further' }) })]);

    // The feeds: declarations, activations (Türkiye's with its alert), and the release under the terms, equal to REST.
    const unhcrItems = await waitFor(async () => {
      const items = await feed('org:UNHCR');
      return items.some((i) => i.kind === 'release.emergency-flows') ? items : null;
    }, { timeoutMs: 30_000, what: "UNHCR's release item under Iran's emergency terms" });
    expect(unhcrItems.map((i) => i.kind).filter((k) => k.startsWith('emergency.')).sort()).toEqual(['emergency.activated', 'emergency.declared']);
    const release = unhcrItems.find((i) => i.kind === 'release.emergency-flows')!.data as { agreementId: string; query: Record<string, unknown>; answer: Answer };
    expect(release.agreementId).toBe(irGrantId);
    const asQuery = Object.fromEntries(Object.entries(release.query).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
    expect(release.answer).toEqual(await get(`/v1/flows?${new URLSearchParams(asQuery)}`, 'org:UNHCR'));
    const iomItems = await waitFor(async () => {
      const items = await feed('org:IOM');
      return items.some((i) => i.kind === 'release.emergency-flows') ? items : null;
    }, { timeoutMs: 30_000, what: "IOM's release item under Türkiye's emergency terms" });
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
    const trail = await (await fetch(`${aggregator.url}/v1/audit?principal=org:UNHCR&limit=500`, { headers: admin })).json() as { entries: { agreements: { emergency?: { id: string } }[] }[] };
    expect(trail.entries.some((e) => e.agreements.some((a) => a.emergency?.id === id))).toBe(true);
  });
});
