import { parseAgreementEvent, TOPICS, topicName } from '@caravanserai/contracts';
import { createKafka } from '@caravanserai/messaging';
import { bearer, issueKey, TEST_KAFKA_BROKERS, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Consumer } from 'kafkajs';
import { Pool } from 'pg';
import { CommandPipeline, DECISION_ATTEMPTS } from '../../infrastructure/command-pipeline';
import { agreementDecider, AgreementError } from '../domain/agreement.decider';
import { PgAgreementStreams } from '../infrastructure/pg-agreement-streams';
import { InProcessNode, startInProcessNode } from '../../testing/in-process-node';

/** The node's agreement API, in-process on the real PostgreSQL, publishing to the real broker. */
describe('/v1/agreements (PostgreSQL + Kafka)', () => {
  let node: InProcessNode;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  let auth: Record<string, string>;
  let prefix: string;

  // Iran grants the secretariat monthly flows by route and category, k = 5, without victims of trafficking.
  const grant = {
    recipient: 'secretariat',
    scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
    dimensions: ['route', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    embargoDays: 30,
    validFrom: '2026-01-01',
    validUntil: '2026-12-31',
    purpose: 'Regional picture of mixed movements for the secretariat',
  };
  const inject = (method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) =>
    app.inject({ method, url: `/v1/agreements${path}`, headers: auth, ...(payload ? { payload } : {}) });
  const post = (body: object) => inject('POST', '', body);
  const patch = (id: string, body: object) => inject('PATCH', `/${id}`, body);
  const revoke = (id: string, reason = 'the arrangement ended') => inject('POST', `/${id}/revocation`, { reason });
  const events = async () => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
  const granted = async (over: object = {}) => {
    const res = await post({ ...grant, ...over });
    expect(res.statusCode).toBe(201);
    return res.json().agreementId as string;
  };
  const fieldsOf = (res: { json(): { errors?: { field: string }[] } }) => (res.json().errors ?? []).map((e) => e.field).sort();

  beforeAll(async () => {
    node = await startInProcessNode('node_agreements', 'IR', { env: { OUTBOX_IDLE_MS: '50' } });
    ({ app, url, pool, prefix } = node);
    auth = bearer(await issueKey(url, 'node', 'admin', 'admin'));
  });

  afterAll(async () => {
    await node?.close();
  });

  describe('refusals change nothing', () => {
    let before: number;
    beforeEach(async () => {
      before = await events();
    });
    afterEach(async () => {
      expect(await events()).toBe(before);
    });

    it('k = 0: 422 on minCellSize', async () => {
      const res = await post({ ...grant, minCellSize: 0 });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'VALIDATION.FAILED', errors: [{ field: 'minCellSize', message: expect.stringMatching(/at least 1/) }] });
    });

    it('categories both included and excluded: 422 on scope.categories', async () => {
      const res = await post({ ...grant, scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['victim_of_trafficking'] } } });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([{ field: 'scope.categories', message: expect.stringMatching(/not both/) }]);
    });

    it('borderCrossingPoint as a dimension at country granularity: 422 on dimensions', async () => {
      const res = await post({ ...grant, dimensions: ['route', 'borderCrossingPoint'] });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([{ field: 'dimensions', message: expect.stringMatching(/borderCrossingPoint.*country/) }]);
    });

    it('several problems: one 422 that lists every one', async () => {
      const res = await post({
        ...grant,
        recipient: 'everyone',
        minCellSize: 0,
        embargoDays: -1,
        validUntil: '2025-12-31',
        dimensions: ['route', 'fullName'],
        scope: { eventKinds: [], categories: { include: ['refugee'], exclude: ['other'] } },
      });
      expect(res.statusCode).toBe(422);
      expect(fieldsOf(res)).toEqual(['dimensions', 'embargoDays', 'minCellSize', 'recipient', 'scope.categories', 'scope.eventKinds', 'validUntil']);
      expect(res.json().message).toMatch(/nothing was stored/);
    });

    it('wrong types, missing and unknown members: 422 by field', async () => {
      const { purpose: _p, ...withoutPurpose } = grant;
      const res = await post({ ...withoutPurpose, minCellSize: '5', personalData: true, scope: { eventKinds: ['movements'], regions: [] } });
      expect(res.statusCode).toBe(422);
      expect(fieldsOf(res)).toEqual(['minCellSize', 'personalData', 'purpose', 'scope.regions']);
    });

    it('a data period that ends before it starts, or is no calendar day: 422 on the field', async () => {
      const reversed = await post({ ...grant, dataFrom: '2026-01-01', dataUntil: '2025-12-31' });
      expect(reversed.statusCode).toBe(422);
      expect(reversed.json().errors).toEqual([{ field: 'dataUntil', message: expect.stringMatching(/^dataUntil 2025-12-31 is before dataFrom 2026-01-01/) }]);
      const unreal = await post({ ...grant, dataFrom: '2026-02-30', dataUntil: '2026-13-01' });
      expect(unreal.statusCode).toBe(422);
      expect(fieldsOf(unreal)).toEqual(['dataFrom', 'dataUntil']);
      const number = await post({ ...grant, dataFrom: 2026 });
      expect(number.statusCode).toBe(422);
      expect(fieldsOf(number)).toEqual(['dataFrom']);
    });

    it('a grant for another state: 403 AGREEMENT.FOREIGN_PROVIDER', async () => {
      const res = await post({ ...grant, provider: 'TR' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        type: 'urn:caravanserai:problem:AGREEMENT.FOREIGN_PROVIDER',
        title: 'Not this node’s state',
        status: 403,
        detail: expect.stringMatching(/a node grants only for its own state.*IR, not TR/),
        instance: expect.stringMatching(/^urn:caravanserai:request:/),
        code: 'AGREEMENT.FOREIGN_PROVIDER',
        message: expect.stringMatching(/a node grants only for its own state.*IR, not TR/),
        requestId: expect.any(String),
      });
    });

    it('an unknown agreement: 404 to amend, revoke or read; a malformed id: 400', async () => {
      const unknown = '01963c4e-0000-7000-8000-0000000000ff';
      for (const res of [await patch(unknown, { minCellSize: 10 }), await revoke(unknown), await inject('GET', `/${unknown}`)]) {
        expect(res.statusCode).toBe(404);
        expect(res.json().code).toBe('AGREEMENT.NOT_FOUND');
      }
      expect((await inject('GET', '/not-a-uuid')).statusCode).toBe(400);
    });
  });

  it('grants for its own state, naming it or not: 201 with the agreementId, version 1', async () => {
    const res = await post({ ...grant, provider: 'IR' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ agreementId: expect.stringMatching(/^[0-9a-f-]{36}$/), eventId: expect.any(String), status: 'active', version: 1 });
    const view = (await inject('GET', `/${res.json().agreementId}`)).json();
    expect(view).toMatchObject({ provider: 'IR', status: 'active', terms: grant });
    expect(view.terms).not.toHaveProperty('provider');
  });

  it('amends, refuses what would break the terms, revokes once, and refuses everything after', async () => {
    const id = await granted();

    const amended = await patch(id, { minCellSize: 10, validUntil: null, recipient: 'secretariat' });
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({ agreementId: id, status: 'active', version: 2, changes: { minCellSize: 10, validUntil: null } });

    const before = await events();
    const recipient = await patch(id, { recipient: 'state:TR' });
    expect(recipient.statusCode).toBe(422);
    expect(recipient.json().errors).toEqual([{ field: 'recipient', message: expect.stringMatching(/cannot change/) }]);
    const backwards = await patch(id, { validUntil: '2025-06-30' });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors).toEqual([{ field: 'validUntil', message: 'validUntil 2025-06-30 is before validFrom 2026-01-01' }]);
    const same = await patch(id, { minCellSize: 10, dimensions: ['category', 'route'] });
    expect(same.statusCode).toBe(422);
    expect(same.json().code).toBe('AGREEMENT.NO_CHANGE');
    expect(await events()).toBe(before);

    const revoked = await revoke(id);
    expect(revoked.statusCode).toBe(201);
    expect(revoked.json()).toEqual({ agreementId: id, eventId: expect.any(String), status: 'revoked', version: 3 });

    const afterRevoke = await patch(id, { minCellSize: 20 });
    expect(afterRevoke.statusCode).toBe(409);
    expect(afterRevoke.json()).toMatchObject({
      code: 'AGREEMENT.REVOKED',
      status: 409,
      agreementStatus: 'revoked',
      version: 3,
      reason: 'the arrangement ended',
    });
    const twice = await revoke(id, 'again');
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('AGREEMENT.REVOKED');
    expect((await revoke(id, '   ')).statusCode).toBe(422);

    const view = (await inject('GET', `/${id}`)).json();
    expect(view).toMatchObject({
      agreementId: id,
      provider: 'IR',
      status: 'revoked',
      version: 3,
      revocationReason: 'the arrangement ended',
      terms: { ...grant, minCellSize: 10, validUntil: null },
    });
    expect(view.history.map((e: { type: string; streamVersion: number }) => `${e.streamVersion}:${e.type}`)).toEqual([
      '1:AgreementGranted',
      '2:AgreementAmended',
      '3:AgreementRevoked',
    ]);
    expect(view.history[1].data).toEqual({ agreementId: id, changes: { minCellSize: 10, validUntil: null } });
  });

  it('grants and amends a data period: stored, shown, and refused when an amendment reverses it', async () => {
    const id = await granted({ dataFrom: '2026-01-01', dataUntil: '2026-12-31', purpose: '2026 data only' });
    expect((await inject('GET', `/${id}`)).json().terms).toMatchObject({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' });

    const before = await events();
    const reversed = await patch(id, { dataUntil: '2025-12-31' });
    expect(reversed.statusCode).toBe(422);
    expect(reversed.json().errors).toEqual([{ field: 'dataUntil', message: expect.stringMatching(/^dataUntil 2025-12-31 is before dataFrom 2026-01-01/) }]);
    expect((await patch(id, { dataFrom: '2026-04-31' })).statusCode).toBe(422);
    expect(await events()).toBe(before);

    const lifted = await patch(id, { dataFrom: null, dataUntil: '2026-06-30' });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({ version: 2, changes: { dataFrom: null, dataUntil: '2026-06-30' } });
    expect((await inject('GET', `/${id}`)).json().terms).toMatchObject({ dataFrom: null, dataUntil: '2026-06-30' });
    // a grant that says nothing of its data period is shown as covering every day
    const open = await granted();
    expect((await inject('GET', `/${open}`)).json().terms).toMatchObject({ dataFrom: null, dataUntil: null });
  });

  it('serialises concurrent decisions on one agreement: of two revocations at once, one wins, the other is 409', async () => {
    const id = await granted();
    const results = await Promise.all([revoke(id, 'first'), revoke(id, 'second')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(['AGREEMENT.REVOKED', 'AGREEMENT.CONCURRENT_CHANGE']).toContain(results.find((r) => r.statusCode === 409)!.json().code);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = 'AgreementRevoked'", [`agreement-${id}`]);
    expect(rows[0].n).toBe(1);
  });

  it('decides again on the new state when its stream position was taken meanwhile (the command pipeline)', async () => {
    const id = await granted();
    const pipeline = app.get(CommandPipeline, { strict: false });
    const stream = { streamId: `agreement-${id}`, topic: `${prefix}agreements.v1`, conflict: () => AgreementError.concurrentChange(id) };
    // The first decision aims at the position the grant holds, as a decision taken on a state read
    // before another request's append would: it loses the race, and is decided again.
    let decisions = 0;
    const late = {
      ...agreementDecider,
      decide: (...args: Parameters<typeof agreementDecider.decide>) => {
        const d = agreementDecider.decide(...args);
        return decisions++ === 0 ? { ...d, streamVersion: d.streamVersion - 1 } : d;
      },
    };
    const handled = await pipeline.handle(late, stream, { type: 'AmendAgreement', agreementId: id, changes: { minCellSize: 11 } });
    expect(decisions).toBe(2);
    expect(handled.decision.streamVersion).toBe(2);
    expect((await app.get(PgAgreementStreams, { strict: false }).load(id)).state).toMatchObject({ version: 2, terms: { minCellSize: 11 } });
  });

  it('answers AGREEMENT.CONCURRENT_CHANGE after DECISION_ATTEMPTS lost races, and writes nothing', async () => {
    const id = await granted();
    const pipeline = app.get(CommandPipeline, { strict: false });
    const stream = { streamId: `agreement-${id}`, topic: `${prefix}agreements.v1`, conflict: () => AgreementError.concurrentChange(id) };
    let decisions = 0;
    const alwaysLate = {
      ...agreementDecider,
      decide: (...args: Parameters<typeof agreementDecider.decide>) => {
        decisions++;
        const d = agreementDecider.decide(...args);
        return { ...d, streamVersion: d.streamVersion - 1 };
      },
    };
    const before = await events();
    await expect(pipeline.handle(alwaysLate, stream, { type: 'AmendAgreement', agreementId: id, changes: { minCellSize: 11 } })).rejects.toMatchObject({
      code: 'AGREEMENT.CONCURRENT_CHANGE',
      kind: 'conflict',
    });
    expect(decisions).toBe(DECISION_ATTEMPTS);
    expect(await events()).toBe(before);
  });

  it('lists its agreements with current terms, status and history, oldest first', async () => {
    const a = await granted({ recipient: 'org:UNHCR', purpose: 'listed first' });
    const b = await granted({ recipient: 'state:TR', purpose: 'listed second' });
    expect((await patch(b, { embargoDays: 0 })).statusCode).toBe(200);
    const { agreements } = (await inject('GET', '')).json();
    const ids = agreements.map((x: { agreementId: string }) => x.agreementId);
    expect(ids.indexOf(a)).toBeLessThan(ids.indexOf(b));
    const listed = agreements.find((x: { agreementId: string }) => x.agreementId === b);
    expect(listed).toMatchObject({ status: 'active', version: 2, terms: { recipient: 'state:TR', embargoDays: 0 } });
    expect(listed.history).toHaveLength(2);
    // Only agreements: the node's movements never show up here.
    expect(agreements.every((x: { history: { type: string }[] }) => x.history.every((e) => e.type.startsWith('Agreement')))).toBe(true);
    // It takes no parameters: one that looks like a filter is refused, not silently ignored.
    const filtered = await inject('GET', '?recipient=org:UNHCR');
    expect(filtered.statusCode).toBe(400);
    expect(filtered.body).toContain('recipient');
  });

  it('documents the endpoints and the terms in OpenAPI', () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/agreements', '/v1/agreements/{agreementId}', '/v1/agreements/{agreementId}/revocation']),
    );
    expect(Object.keys(doc.paths['/v1/agreements/{agreementId}'])).toEqual(expect.arrayContaining(['get', 'patch']));
    const schemas = doc.components!.schemas as Record<string, { properties: Record<string, { enum?: string[] }> }>;
    expect(schemas.GrantAgreementDto.properties.minTimeGranularity.enum).toEqual(['day', 'week', 'month', 'year']);
    expect(Object.keys(schemas.AmendAgreementDto.properties)).toEqual(expect.arrayContaining(['validUntil', 'dataFrom', 'dataUntil']));
    expect(Object.keys(schemas.GrantAgreementDto.properties)).toEqual(expect.arrayContaining(['dataFrom', 'dataUntil']));
  });

  it('publishes every decision on the prefixed agreements.v1, keyed by stream, each a valid agreement event', async () => {
    const id = await granted({ recipient: '*', purpose: 'published', dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
    expect((await patch(id, { minTimeGranularity: 'year', dataUntil: '2026-06-30' })).statusCode).toBe(200);
    expect((await revoke(id)).statusCode).toBe(201);

    const topic = topicName(TOPICS.agreements, prefix);
    const received: { key: string; value: Buffer | null; partition: number }[] = [];
    const kafka = createKafka(`test-agreements-${uniqueSuffix()}`, TEST_KAFKA_BROKERS);
    // The forwarder creates the topic before its first publish; wait for it rather than race it.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.listTopics()).includes(topic), { what: `topic ${topic}` });
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0].partitions).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const consumer: Consumer = kafka.consumer({ groupId: `${prefix}reader` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key!.toString(), value: message.value, partition });
        },
      });
      await waitFor(() => received.filter((r) => r.key === `agreement-${id}`).length >= 3, { what: 'the three events of the agreement' });
    } finally {
      await consumer.disconnect();
    }

    const ours = received.filter((r) => r.key === `agreement-${id}`);
    const parsed = ours.map((r) => parseAgreementEvent(r.value));
    expect(parsed.map((p) => (p.ok ? p.event.type : p.reason))).toEqual(['AgreementGranted', 'AgreementAmended', 'AgreementRevoked']);
    for (const p of parsed) {
      expect(p).toMatchObject({ ok: true, event: { provider: 'IR', streamId: `agreement-${id}` } });
    }
    expect(parsed.map((p) => p.ok && p.event.streamVersion)).toEqual([1, 2, 3]);
    // the data period travels with the grant and its amendment
    expect(parsed[0]).toMatchObject({ event: { data: { dataFrom: '2026-01-01', dataUntil: '2026-12-31' } } });
    expect(parsed[1]).toMatchObject({ event: { data: { changes: { minTimeGranularity: 'year', dataUntil: '2026-06-30' } } } });
    // Every event the node published is a valid agreement event, refusals included: none of them was published.
    expect(received.every((r) => parseAgreementEvent(r.value).ok)).toBe(true);
    expect(received).toHaveLength(await events());
    // And signed with the node's key: each verifies against the trusted keys as it arrived.
    const registry = testSigningKeys().registry();
    expect(received.map((r) => registry.verify(JSON.parse(r.value!.toString())))).toEqual(received.map(() => ({ ok: true, keyId: 'ir-test' })));
  });
});
