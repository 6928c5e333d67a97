import { revokeKey } from '@caravanserai/credentials';
import { agreementGranted, bearer, issueKey, movementRecorded, testSigningKeys, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import { cutRelease } from '../releases/infrastructure/pg-releases';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';
import { signedMessages } from '../testing/signed-messages';

/**
 * The attacks on the aggregator, in-process on the real PostgreSQL and Kafka: each
 * ends in the documented status with nothing leaked, and every answer is cut to the principal
 * of the key, whatever the caller claims.
 */
describe('authentication and authorisation at the aggregator (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  const key: Record<'secretariat' | 'state' | 'org' | 'admin', string> = {} as never;
  const { msg } = signedMessages();

  const get = (path: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: path, headers });
  const FLOWS = '/v1/flows?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=route';
  const ROUTES = [FLOWS, '/v1/referrals/summary?from=2026-03-01&to=2026-03-31', '/v1/agreements', '/v1/nodes', '/v1/quarantine', '/metrics', '/v1/reference'];
  const expect401 = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:caravanserai:problem:AUTH.UNAUTHENTICATED',
      title: 'Not authenticated',
      status: 401,
      detail: 'missing or invalid credentials: send Authorization: Bearer <api key>',
      instance: expect.stringMatching(/^urn:caravanserai:request:/),
      code: 'AUTH.UNAUTHENTICATED',
      message: 'missing or invalid credentials: send Authorization: Bearer <api key>',
      requestId: expect.any(String),
    });
  };
  const statuses = async (headers: Record<string, string>) => Promise.all(ROUTES.map(async (r) => (await get(r, headers)).statusCode));

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_auth');
    ({ app, pool } = aggregator);
    url = aggregator.url;
    // Iran shares its movements with the secretariat only; six of them in March.
    await regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest([
      msg(agreementGranted('IR', { recipient: 'secretariat', dimensions: ['route'], minCellSize: 1 })),
    ]);
    const route = { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' } as const;
    await regionalIngests(pool, 'g', testSigningKeys().registry()).movements.ingest(
      Array.from({ length: 6 }, () => msg(movementRecorded({ provider: 'IR', occurredOn: '2026-03-05', data: route }))),
    );
    await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    key.secretariat = await issueKey(url, 'aggregator', 'secretariat', 'reader');
    key.state = await issueKey(url, 'aggregator', 'state:KZ', 'reader');
    key.org = await issueKey(url, 'aggregator', 'org:UNHCR', 'reader');
    key.admin = await issueKey(url, 'aggregator', 'admin', 'admin');
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  it('no credentials, a malformed or unknown key, or only the old principal header: 401 everywhere, no data in the answer', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer x' },
      { authorization: `Bearer cvs_0123456789abcdef_${'Q'.repeat(43)}` },
      { 'x-caravanserai-principal': 'secretariat' },
    ];
    for (const headers of attempts) for (const route of ROUTES) expect401(await get(route, headers));
    expect((await get('/v1/health')).statusCode).toBe(200);
  });

  it('who may call what: readers query, the admin operates (quarantine, metrics), states see their own node', async () => {
    //                                          flows referrals agreements nodes quarantine metrics reference
    expect(await statuses(bearer(key.secretariat))).toEqual([200, 200, 200, 200, 403, 403, 200]);
    expect(await statuses(bearer(key.state))).toEqual([200, 200, 200, 200, 403, 403, 200]);
    expect(await statuses(bearer(key.org))).toEqual([200, 200, 200, 403, 403, 403, 200]);
    expect(await statuses(bearer(key.admin))).toEqual([403, 403, 403, 200, 200, 200, 200]);
  });

  it('answers as the principal of the key: the secretariat sees what Iran granted it, others nothing, whatever they claim', async () => {
    const secretariat = (await get(FLOWS, bearer(key.secretariat))).json();
    expect(secretariat.disclosure.principal).toBe('secretariat');
    expect(secretariat.totals.count).toBe(6);
    for (const k of [key.org, key.state]) {
      const res = await get(FLOWS, { ...bearer(k), 'x-caravanserai-principal': 'secretariat' });
      expect(res.statusCode).toBe(200);
      expect(res.json().disclosure.principal).not.toBe('secretariat');
      expect(res.json().rows).toEqual([]);
      expect(res.json().totals.count).toBe(0);
    }
    // Node status says whether a state sent anything: Kazakhstan sees only its own (none), admin every one.
    expect((await get('/v1/nodes', bearer(key.state))).json().providers).toEqual([]);
    expect((await get('/v1/nodes', bearer(key.admin))).json().providers.map((p: { provider: string }) => p.provider)).toEqual(['IR']);
  });

  it('a forbidden call says nothing of the data behind it', async () => {
    const res = await get('/v1/quarantine', bearer(key.org));
    expect(res.json()).toEqual({
      type: 'urn:caravanserai:problem:AUTH.FORBIDDEN',
      title: 'Not allowed',
      status: 403,
      detail: 'org:UNHCR (role reader) may not call this endpoint',
      instance: expect.stringMatching(/^urn:caravanserai:request:/),
      code: 'AUTH.FORBIDDEN',
      message: 'org:UNHCR (role reader) may not call this endpoint',
      requestId: expect.any(String),
    });
    const flows = await get(FLOWS, bearer(key.admin));
    expect(flows.statusCode).toBe(403);
    expect(flows.body).not.toContain('IR');
  });

  it('a revoked reader key is refused on the next query; an expired one too', async () => {
    const revocable = await issueKey(url, 'aggregator', 'secretariat', 'reader');
    expect((await get(FLOWS, bearer(revocable))).statusCode).toBe(200);
    await revokeKey(pool, revocable.split('_')[1]);
    expect401(await get(FLOWS, bearer(revocable)));

    const shortLived = await issueKey(url, 'aggregator', 'secretariat', 'reader', { expiresAt: new Date(Date.now() + 1500) });
    expect((await get(FLOWS, bearer(shortLived))).json().totals.count).toBe(6);
    await waitFor(async () => (await get(FLOWS, bearer(shortLived))).statusCode === 401, { timeoutMs: 10_000, what: 'the key to expire' });
    expect401(await get(FLOWS, bearer(shortLived)));
  });

  it("concurrent requests, whose key lookups go in one query, each get their own key's answer", async () => {
    const revoked = await issueKey(url, 'aggregator', 'secretariat', 'reader');
    await revokeKey(pool, revoked.split('_')[1]);
    const callers = [key.secretariat, revoked, key.state, 'cvs_0123456789abcdef_' + 'A'.repeat(43), key.org, key.secretariat, key.admin];
    const answers = await Promise.all(callers.map((k) => get(FLOWS, bearer(k))));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 200, 401, 200, 200, 403]);
    expect(answers[0].json().totals.count).toBe(6);
    expect(answers[5].json().totals.count).toBe(6);
    // Kazakhstan and UNHCR were granted nothing: their answers hold no count of Iran's.
    expect(answers[2].json().totals.count).toBe(0);
    expect(answers[4].json().totals.count).toBe(0);
  });
});
