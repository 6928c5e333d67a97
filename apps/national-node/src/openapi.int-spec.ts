import { bearer, issueKey, OpenApiResponses, uniqueSuffix } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NODE_OPENAPI_FILE } from './openapi';
import { InProcessNode, startInProcessNode } from './testing/in-process-node';

/**
 * docs/openapi/node.json against the running node (real PostgreSQL and Kafka): every operation is
 * called with a valid request and at least one error, and each answer's status, type and body are
 * checked against the document (ajv). A new operation fails here until it is called.
 */
describe('the national node answers as its OpenAPI document says (PostgreSQL, Kafka)', () => {
  let node: InProcessNode;
  let app: NestFastifyApplication;
  let url: string;
  const suffix = uniqueSuffix();
  const doc = new OpenApiResponses(NODE_OPENAPI_FILE);
  let ingest: Record<string, string>;
  let admin: Record<string, string>;
  const unknownId = '019cacdf-29d9-72a8-b639-5ece65992f99';

  async function call(method: 'GET' | 'POST' | 'PATCH', path: string, headers: Record<string, string> = {}, body?: unknown) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await app.inject({
      method,
      url: path,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      payload,
    });
    return {
      status: res.statusCode,
      body: doc.check(method, path, res.statusCode, res.headers['content-type'] as string | undefined, res.body) as ReturnType<typeof JSON.parse>,
    };
  }

  const movement = (i: number, over: Record<string, unknown> = {}) => ({
    recordId: `IR-OAS-${suffix}-${i}`,
    crossedAt: '2026-03-02T08:15:00+03:30',
    direction: 'entry',
    borderCrossingPoint: 'IR-DOGHAROUN',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: 'TR',
    category: 'asylum_seeker',
    sex: 'female',
    dateOfBirth: '1990-06-01',
    fullName: 'Test Person',
    ...over,
  });
  const referral = (i: number, over: Record<string, unknown> = {}) => ({
    recordId: `IR-OAS-REF-${suffix}-${i}`,
    referredAt: '2026-03-02T08:15:00+03:30',
    category: 'unaccompanied_child',
    specificNeeds: ['unaccompanied_or_separated_child'],
    sex: 'male',
    dateOfBirth: '2011-01-01',
    borderCrossingPoint: 'IR-DOGHAROUN',
    referredTo: 'child_protection',
    fullName: 'Test Person',
    ...over,
  });
  const grant = {
    recipient: 'secretariat',
    scope: { eventKinds: ['movements'] },
    dimensions: ['route'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    embargoDays: 0,
    validFrom: '2026-01-01',
    validUntil: null,
    purpose: 'Regional picture of mixed movements',
  };

  beforeAll(async () => {
    node = await startInProcessNode('node_openapi', 'IR');
    ({ app, url } = node);
    ingest = bearer(await issueKey(url, 'node', 'state:IR', 'ingest'));
    admin = bearer(await issueKey(url, 'node', 'admin', 'admin'));
  }, 60_000);

  afterAll(async () => {
    await node?.close();
  });

  it('health, readiness, metrics, reference, republication', async () => {
    expect((await call('GET', '/v1/health')).status).toBe(200);
    expect([200, 503]).toContain((await call('GET', '/v1/health/ready')).status);
    expect((await call('GET', '/metrics', admin)).status).toBe(200);
    expect((await call('GET', '/metrics', ingest)).status).toBe(403);
    expect((await call('GET', '/v1/reference', ingest)).status).toBe(200);
    expect((await call('GET', '/v1/reference')).status).toBe(401);
    expect((await call('GET', '/v1/republication', admin)).status).toBe(200);
    expect((await call('GET', '/v1/republication')).status).toBe(401);
    expect((await call('POST', '/v1/republication', admin)).status).toBe(202);
    expect((await call('POST', '/v1/republication', ingest)).status).toBe(403);
  });

  it('movements: record, retract; invalid, unknown and repeated', async () => {
    const recorded = await call('POST', '/v1/movements', ingest, { records: [movement(1)] });
    expect(recorded.body.accepted).toBe(1);
    expect((await call('POST', '/v1/movements', ingest, { records: [movement(2, { category: 'tourist' })] })).status).toBe(422);
    const eventId = recorded.body.results[0].eventId;
    expect((await call('POST', `/v1/movements/${eventId}/retraction`, ingest, { reason: 'wrong_record' })).status).toBe(201);
    expect((await call('POST', `/v1/movements/${eventId}/retraction`, ingest, { reason: 'wrong_record' })).body).toMatchObject({
      status: 409,
      code: 'MOVEMENT.ALREADY_RETRACTED',
    });
    expect((await call('POST', `/v1/movements/${unknownId}/retraction`, ingest, { reason: 'wrong_record' })).status).toBe(404);
    expect((await call('POST', '/v1/movements/not-a-uuid/retraction', ingest, { reason: 'wrong_record' })).status).toBe(400);
  });

  it('referrals: record, read, each step; steps not allowed and unknown referrals', async () => {
    const made = await call('POST', '/v1/referrals', ingest, { records: [referral(1), referral(2)] });
    const [first, second] = made.body.results.map((r: { referralId: string }) => r.referralId);
    expect((await call('POST', '/v1/referrals', ingest, { records: [referral(3, { referredTo: 'police' })] })).status).toBe(422);
    expect((await call('GET', `/v1/referrals/${first}`, ingest)).body.status).toBe('made');
    expect((await call('GET', `/v1/referrals/${unknownId}`, ingest)).status).toBe(404);
    expect((await call('POST', `/v1/referrals/${first}/acknowledgement`, ingest, {})).status).toBe(201);
    expect((await call('POST', `/v1/referrals/${first}/acceptance`, ingest, {})).status).toBe(201);
    expect((await call('POST', `/v1/referrals/${first}/closure`, ingest, { outcome: 'services_provided' })).status).toBe(201);
    expect((await call('POST', `/v1/referrals/${second}/decline`, ingest, { reason: 'no_capacity' })).status).toBe(201);
    expect((await call('POST', `/v1/referrals/${second}/acknowledgement`, ingest, {})).body).toMatchObject({ status: 409, referralStatus: 'declined' });
    expect((await call('POST', `/v1/referrals/${second}/acceptance`, ingest, {})).status).toBe(409);
    expect((await call('POST', `/v1/referrals/${first}/decline`, ingest, { reason: 'no_capacity' })).status).toBe(409);
    expect((await call('POST', `/v1/referrals/${second}/closure`, ingest, { outcome: 'other' })).status).toBe(409);
  });

  it('agreements: grant, read, amend, revoke; foreign, unknown and revoked', async () => {
    const granted = await call('POST', '/v1/agreements', admin, grant);
    expect(granted.status).toBe(201);
    const id = granted.body.agreementId;
    expect((await call('POST', '/v1/agreements', admin, { ...grant, provider: 'TR' })).body).toMatchObject({ status: 403, code: 'AGREEMENT.FOREIGN_PROVIDER' });
    expect((await call('GET', '/v1/agreements', admin)).body.agreements).toHaveLength(1);
    expect((await call('GET', '/v1/agreements?x=1', admin)).status).toBe(400);
    expect((await call('GET', `/v1/agreements/${id}`, admin)).status).toBe(200);
    expect((await call('GET', `/v1/agreements/${unknownId}`, admin)).status).toBe(404);
    expect((await call('PATCH', `/v1/agreements/${id}`, admin, { minCellSize: 10 })).status).toBe(200);
    expect((await call('PATCH', `/v1/agreements/${unknownId}`, admin, { minCellSize: 10 })).status).toBe(404);
    const emergencyId = '019eb1c0-2a3b-7c4d-8e5f-6a7b8c9d0e1f';
    const activation = { emergencyId, reason: 'declared emergency on our route' };
    expect((await call('POST', `/v1/agreements/${id}/emergency-activations`, admin, activation)).body).toMatchObject({
      status: 422,
      code: 'AGREEMENT.NO_EMERGENCY_TERMS',
    });
    const emergency = {
      minTimeGranularity: 'week',
      minGeoGranularity: 'country',
      embargoDays: 0,
      dimensions: [],
      recipients: ['org:UNHCR'],
      maxDays: 30,
      activation: 'at-node',
    };
    expect((await call('PATCH', `/v1/agreements/${id}`, admin, { emergency })).status).toBe(200);
    expect((await call('POST', `/v1/agreements/${id}/emergency-activations`, admin, activation)).status).toBe(201);
    expect((await call('POST', `/v1/agreements/${id}/emergency-activations`, admin, activation)).body).toMatchObject({
      status: 409,
      code: 'AGREEMENT.ALREADY_ACTIVATED',
    });
    expect((await call('POST', `/v1/agreements/${unknownId}/emergency-activations`, admin, activation)).status).toBe(404);
    expect((await call('POST', `/v1/agreements/${id}/revocation`, admin, { reason: 'the arrangement ended' })).status).toBe(201);
    expect((await call('POST', `/v1/agreements/${id}/revocation`, { ...admin, 'accept-language': 'ru' }, { reason: 'again' })).body).toMatchObject({
      status: 409,
      title: 'Соглашение отозвано',
      agreementStatus: 'revoked',
    });
  });

  it('every answer matched the document, and every operation was called with success and error', () => {
    expect(doc.failures).toEqual([]);
    // Liveness and readiness fail only with the database or the broker away (test/faults covers those).
    expect(doc.uncovered(['GET /v1/health', 'GET /v1/health/ready'])).toEqual([]);
  });
});
