import { randomUUID } from 'node:crypto';
import { revokeKey } from '@caravanserai/credentials';
import { bearer, dropTestDatabase, freshTestDatabase, issueKey, parsePrometheusText, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { InProcessNode, startInProcessNode } from '../testing/in-process-node';

/**
 * The attacks on a node, in-process on the real PostgreSQL: each ends in the documented status
 * with nothing stored (events and outbox unchanged, so nothing published either).
 */
describe('authentication and authorisation at a node (PostgreSQL)', () => {
  let node: InProcessNode;
  let app: NestFastifyApplication;
  let url: string;
  let otherNodeUrl: string;
  let pool: Pool;
  const suffix = uniqueSuffix();
  const key: Record<'ingest' | 'admin' | 'otherState' | 'otherNodeIngest' | 'otherNodeAdmin', string> = {} as never;

  const movement = (i: number) => ({
    recordId: `IR-AUTH-${suffix}-${i}`,
    crossedAt: '2026-03-02T08:15:00+03:30',
    direction: 'entry',
    borderCrossingPoint: 'IR-DOGHAROUN',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: 'TR',
    category: 'asylum_seeker',
    sex: 'female',
    dateOfBirth: '1990-06-01',
  });
  const referral = (i: number) => ({
    recordId: `IR-AUTH-REF-${suffix}-${i}`,
    referredAt: '2026-03-02T08:15:00+03:30',
    category: 'unaccompanied_child',
    specificNeeds: ['unaccompanied_or_separated_child'],
    sex: 'male',
    dateOfBirth: '2011-01-01',
    borderCrossingPoint: 'IR-DOGHAROUN',
    referredTo: 'child_protection',
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
    purpose: 'auth test',
  };
  type Method = 'GET' | 'POST' | 'PATCH';
  const call = (method: Method, path: string, headers: Record<string, string> = {}, payload?: object) =>
    app.inject({ method, url: path, headers, ...(payload ? { payload } : {}) });
  /** What a request could have written. The forwarder deletes published outbox rows, so the
   * outbox is compared by the last id it handed out, which only a new row moves. */
  const stored = async () => {
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM record_ids) AS record_ids,
              (SELECT last_value * is_called::int FROM outbox_id_seq) AS outbox_ids`,
    );
    return { events: Number(rows[0].events), recordIds: Number(rows[0].record_ids), outboxIds: Number(rows[0].outbox_ids) };
  };

  let movementEventId: string;
  let referralId: string;
  let agreementId: string;
  /** Every write and read of the node, with bodies that would succeed for the right caller. */
  const writes = (): [Method, string, object | undefined][] => [
    ['POST', '/v1/movements', { records: [movement(900)] }],
    ['POST', `/v1/movements/${movementEventId}/retraction`, { reason: 'wrong_record' }],
    ['POST', '/v1/referrals', { records: [referral(900)] }],
    ['POST', `/v1/referrals/${referralId}/acknowledgement`, {}],
    ['POST', `/v1/referrals/${referralId}/decline`, { reason: 'not_eligible' }],
    ['POST', '/v1/agreements', grant],
    ['PATCH', `/v1/agreements/${agreementId}`, { minCellSize: 50 }],
    ['POST', `/v1/agreements/${agreementId}/revocation`, { reason: 'forged' }],
  ];
  const reads = (): string[] => [`/v1/referrals/${referralId}`, '/v1/agreements', `/v1/agreements/${agreementId}`, '/metrics', '/v1/reference'];

  const expect401 = (res: { statusCode: number; json(): unknown; headers: Record<string, unknown> }) => {
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      type: 'urn:caravanserai:problem:AUTH.UNAUTHENTICATED',
      title: 'Not authenticated',
      status: 401,
      detail: 'missing or invalid credentials: send Authorization: Bearer <api key>',
      instance: expect.stringMatching(/^urn:caravanserai:request:/),
      code: 'AUTH.UNAUTHENTICATED',
      message: 'missing or invalid credentials: send Authorization: Bearer <api key>',
      requestId: expect.any(String),
    });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="caravanserai"');
  };

  beforeAll(async () => {
    otherNodeUrl = await freshTestDatabase('node_auth_af');
    node = await startInProcessNode('node_auth', 'IR', { bodyLimit: 1024 * 1024 });
    ({ app, url, pool } = node);
    key.ingest = await issueKey(url, 'node', 'state:IR', 'ingest');
    key.admin = await issueKey(url, 'node', 'admin', 'admin');
    // Issued by mistake in Iran's database for Afghanistan: still refused (403).
    key.otherState = await issueKey(url, 'node', 'state:AF', 'ingest');
    // Keys of Afghanistan's node, in Afghanistan's database: unknown here (401).
    key.otherNodeIngest = await issueKey(otherNodeUrl, 'node', 'state:AF', 'ingest');
    key.otherNodeAdmin = await issueKey(otherNodeUrl, 'node', 'admin', 'admin');

    const posted = await call('POST', '/v1/movements', bearer(key.ingest), { records: [movement(1)] });
    expect(posted.statusCode).toBe(200);
    movementEventId = posted.json().results[0].eventId;
    const referred = await call('POST', '/v1/referrals', bearer(key.ingest), { records: [referral(1)] });
    expect(referred.statusCode).toBe(200);
    referralId = referred.json().results[0].referralId;
    const granted = await call('POST', '/v1/agreements', bearer(key.admin), grant);
    expect(granted.statusCode).toBe(201);
    agreementId = granted.json().agreementId;
  });

  afterAll(async () => {
    await node?.close();
    if (otherNodeUrl) await dropTestDatabase(otherNodeUrl);
  });

  it('serves health, readiness and the API description without credentials', async () => {
    expect((await call('GET', '/v1/health')).statusCode).toBe(200);
    expect([200, 503]).toContain((await call('GET', '/v1/health/ready')).statusCode);
  });

  it('no credentials: 401 on every other route, nothing stored', async () => {
    const before = await stored();
    for (const [method, path, body] of writes()) expect401(await call(method, path, {}, body));
    for (const path of reads()) expect401(await call('GET', path));
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['a malformed key', () => 'Bearer not-a-key'],
    ['a well-formed key nobody issued', () => `Bearer cvs_0123456789abcdef_${'A'.repeat(43)}`],
    ['the right key id with a wrong secret', () => `Bearer ${key.ingest.slice(0, -4)}AAAA`],
    ['a key of another node (Afghanistan)', () => `Bearer ${key.otherNodeIngest}`],
    ["another state's admin key, against this node's agreements", () => `Bearer ${key.otherNodeAdmin}`],
    ['the key as Basic credentials', () => `Basic ${Buffer.from(key.ingest).toString('base64')}`],
  ])('%s: 401 with the same message, nothing stored', async (_why, header) => {
    const before = await stored();
    for (const [method, path, body] of writes()) expect401(await call(method, path, { authorization: header() }, body));
    expect(await stored()).toEqual(before);
  });

  it('the old self-declared principal header alone is not credentials: 401', async () => {
    expect401(await call('POST', '/v1/movements', { 'x-caravanserai-principal': 'state:IR' }, { records: [movement(2)] }));
  });

  it('state A posting as state B: an Afghan ingest key at the Iranian node is 403 on every route, nothing stored', async () => {
    const before = await stored();
    for (const [method, path, body] of writes()) {
      const res = await call(method, path, bearer(key.otherState), body);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('AUTH.FORBIDDEN');
    }
    expect((await call('POST', '/v1/movements', bearer(key.otherState), { records: [movement(3)] })).json().message).toBe(
      'this node takes records from state:IR only, not state:AF',
    );
    expect(await stored()).toEqual(before);
  });

  it("a forged agreement: the node's own ingest key may not grant, amend or revoke (403), and the agreement stands", async () => {
    const before = await stored();
    const attempts: [Method, string, object][] = [
      ['POST', '/v1/agreements', { ...grant, recipient: 'org:FORGER' }],
      ['POST', '/v1/agreements', { ...grant, provider: 'AF' }],
      ['PATCH', `/v1/agreements/${agreementId}`, { minCellSize: 1 }],
      ['POST', `/v1/agreements/${agreementId}/revocation`, { reason: 'forged' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, bearer(key.ingest), body);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        type: 'urn:caravanserai:problem:AUTH.FORBIDDEN',
        title: 'Not allowed',
        status: 403,
        detail: 'state:IR (role ingest) may not call this endpoint',
        instance: expect.stringMatching(/^urn:caravanserai:request:/),
        code: 'AUTH.FORBIDDEN',
        message: 'state:IR (role ingest) may not call this endpoint',
        requestId: expect.any(String),
      });
    }
    expect(await stored()).toEqual(before);
    const view = (await call('GET', `/v1/agreements/${agreementId}`, bearer(key.admin))).json();
    expect(view.status).toBe('active');
    expect(view.terms.minCellSize).toBe(5);
  });

  it("the node's admin may not post records (403), nothing stored", async () => {
    const before = await stored();
    for (const [method, path, body] of writes().filter(([, p]) => !p.startsWith('/v1/agreements'))) {
      expect((await call(method, path, bearer(key.admin), body)).statusCode).toBe(403);
    }
    expect(await stored()).toEqual(before);
  });

  it('neither 401 nor 403 says whether the resource exists', async () => {
    const missing = '01963c4e-0000-7000-8000-0000000000ff';
    for (const [headers, status] of [
      [{}, 401],
      [bearer(key.admin), 403],
      [bearer(key.otherState), 403],
    ] as const) {
      const existing = await call('GET', `/v1/referrals/${referralId}`, headers);
      const unknown = await call('GET', `/v1/referrals/${missing}`, headers);
      expect(existing.statusCode).toBe(status);
      expect(unknown.statusCode).toBe(status);
      // The same body but for the request id (and the instance naming it), which is each request's own.
      const { requestId: a, instance: _i, ...unknownBody } = unknown.json();
      const { requestId: b, instance: _e, ...existingBody } = existing.json();
      expect(unknownBody).toEqual(existingBody);
      expect(a).not.toBe(b);
    }
    expect((await call('GET', `/v1/referrals/${missing}`, bearer(key.ingest))).statusCode).toBe(404);
  });

  it('metrics are for the admin', async () => {
    expect((await call('GET', `/v1/referrals/${randomUUID()}`, bearer(key.ingest))).statusCode).toBe(404);
    expect((await call('GET', '/metrics', bearer(key.ingest))).statusCode).toBe(403);
    const res = await call('GET', '/metrics', bearer(key.admin));
    expect(res.statusCode).toBe(200);
    // Parsed strictly: today's gauges, the process metrics and the HTTP histogram by route template.
    const families = parsePrometheusText(res.body);
    expect(families.get('caravanserai_outbox_backlog')?.samples[0]).toEqual({
      name: 'caravanserai_outbox_backlog',
      labels: { state: 'IR' },
      value: expect.any(Number),
    });
    expect(families.get('process_resident_memory_bytes')?.samples[0].value).toBeGreaterThan(0);
    expect(families.get('nodejs_eventloop_lag_seconds')).toBeDefined();
    const routes = families
      .get('http_request_duration_seconds')!
      .samples.filter((s) => s.name.endsWith('_count'))
      .map((s) => s.labels);
    expect(routes).toContainEqual({ method: 'GET', route: '/v1/referrals/:id', status_code: '404' });
    expect(routes.every((r) => !r.route.includes('?') && !/[0-9a-f]{8}-[0-9a-f]{4}/.test(r.route))).toBe(true);
  });

  it("gives every answer a request id: the caller's plain token, or a new one; error bodies carry it", async () => {
    const mine = await app.inject({ method: 'GET', url: '/v1/agreements', headers: { ...bearer(key.ingest), 'x-request-id': 'ops-ticket-42' } });
    expect(mine.headers['x-request-id']).toBe('ops-ticket-42');
    const refused = await app.inject({ method: 'GET', url: '/metrics', headers: { ...bearer(key.ingest), 'x-request-id': 'not a token' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.json().requestId).toBe(refused.headers['x-request-id']);
    const anonymous = await app.inject({ method: 'GET', url: '/v1/agreements', headers: { 'x-request-id': 'abc.1' } });
    expect(anonymous.statusCode).toBe(401);
    expect([anonymous.headers['x-request-id'], anonymous.json().requestId]).toEqual(['abc.1', 'abc.1']);
  });

  it('a revoked key is refused on the next request, though its check was cached', async () => {
    const revocable = await issueKey(url, 'node', 'state:IR', 'ingest', { label: 'to revoke' });
    expect((await call('POST', '/v1/movements', bearer(revocable), { records: [movement(10)] })).statusCode).toBe(200);
    expect((await call('POST', '/v1/movements', bearer(revocable), { records: [movement(11)] })).statusCode).toBe(200);
    // Revoked by another connection, as the CLI does from another process.
    expect(await revokeKey(pool, revocable.split('_')[1])).toBe('revoked');
    const before = await stored();
    expect401(await call('POST', '/v1/movements', bearer(revocable), { records: [movement(12)] }));
    expect(await stored()).toEqual(before);
  });

  it('an expired key is refused, nothing stored', async () => {
    const shortLived = await issueKey(url, 'node', 'state:IR', 'ingest', { expiresAt: new Date(Date.now() + 1500) });
    expect((await call('POST', '/v1/movements', bearer(shortLived), { records: [movement(20)] })).statusCode).toBe(200);
    const before = await stored();
    await waitFor(async () => (await call('GET', '/v1/reference', bearer(shortLived))).statusCode === 401, { timeoutMs: 10_000, what: 'the key to expire' });
    expect401(await call('POST', '/v1/movements', bearer(shortLived), { records: [movement(21)] }));
    expect(await stored()).toEqual(before);
  });

  it('stores no key, only a salted hash', async () => {
    const { rows } = await pool.query('SELECT key_id, secret_hash, salt FROM api_keys');
    const dump = JSON.stringify((await pool.query('SELECT * FROM api_keys')).rows);
    for (const k of [key.ingest, key.admin, key.otherState]) {
      expect(dump).not.toContain(k.split('_').slice(2).join('_'));
    }
    expect(rows.every((r) => r.secret_hash.length === 32 && r.salt.length === 16)).toBe(true);
  });
});
