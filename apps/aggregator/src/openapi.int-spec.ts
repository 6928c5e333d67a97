import { agreementGranted, bearer, issueKey, movementRecorded, OpenApiResponses, testSigningKeys, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from './regional-ingests';
import { AGGREGATOR_OPENAPI_FILE } from './openapi';
import { cutRelease } from './releases/infrastructure/pg-releases';
import { InProcessAggregator, startInProcessAggregator } from './testing/in-process-aggregator';
import { signedMessages } from './testing/signed-messages';

/**
 * docs/openapi/aggregator.json against the running aggregator (real PostgreSQL and Kafka): every
 * operation is called with a valid request and at least one error, and each answer's status, type
 * and body are checked against the document (ajv). A new operation fails here until it is called.
 */
describe('the aggregator answers as its OpenAPI document says (PostgreSQL, Kafka)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  const doc = new OpenApiResponses(AGGREGATOR_OPENAPI_FILE);
  const key: Record<'secretariat' | 'state' | 'org' | 'admin', Record<string, string>> = {} as never;
  const { msg } = signedMessages();

  /** Calls the service and checks the answer against the document; returns status and body. */
  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, headers: Record<string, string> = {}, body?: unknown, raw?: string) {
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await app.inject({
      method,
      url: path,
      headers: { ...(payload !== undefined && !headers['content-type'] ? { 'content-type': 'application/json' } : {}), ...headers },
      payload,
    });
    return {
      status: res.statusCode,
      body: doc.check(method, path, res.statusCode, res.headers['content-type'] as string | undefined, res.body) as ReturnType<typeof JSON.parse>,
    };
  }

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_openapi');
    ({ app, pool } = aggregator);
    url = aggregator.url;
    await regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest([
      msg(agreementGranted('IR', { recipient: 'secretariat', dimensions: ['route'], minCellSize: 1 })),
    ]);
    const route = { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' } as const;
    await regionalIngests(pool, 'g', testSigningKeys().registry()).movements.ingest(
      Array.from({ length: 6 }, () => msg(movementRecorded({ provider: 'IR', occurredOn: '2026-03-05', data: route }))),
    );
    await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    key.secretariat = bearer(await issueKey(url, 'aggregator', 'secretariat', 'reader'));
    key.state = bearer(await issueKey(url, 'aggregator', 'state:IR', 'reader'));
    key.org = bearer(await issueKey(url, 'aggregator', 'org:UNHCR', 'reader'));
    key.admin = bearer(await issueKey(url, 'aggregator', 'admin', 'admin'));
  }, 60_000);

  afterAll(async () => {
    await aggregator?.close();
  });

  const FLOWS = '/v1/flows?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=route';

  it('health, readiness, metrics, reference, nodes', async () => {
    expect((await call('GET', '/v1/health')).status).toBe(200);
    expect([200, 503]).toContain((await call('GET', '/v1/health/ready')).status);
    expect((await call('GET', '/metrics', key.admin)).status).toBe(200);
    expect((await call('GET', '/metrics', key.secretariat)).status).toBe(403);
    expect((await call('GET', '/v1/reference', key.org)).status).toBe(200);
    expect((await call('GET', '/v1/reference')).status).toBe(401);
    expect((await call('GET', '/v1/nodes', key.admin)).body.providers).toHaveLength(1);
    expect((await call('GET', '/v1/nodes', key.secretariat)).status).toBe(200);
    expect((await call('GET', '/v1/nodes', key.org)).status).toBe(403);
  });

  it('flows and referral summaries, in JSON and CSV', async () => {
    expect((await call('GET', FLOWS, key.secretariat)).body.totals.count).toBe(6);
    expect((await call('GET', FLOWS, { ...key.secretariat, accept: 'text/csv' })).body).toMatch(/^\uFEFF# caravanserai flows/);
    expect((await call('GET', FLOWS.replace('to=2026-03-31', 'to=2026-02-01'), key.secretariat)).body).toMatchObject({
      status: 400,
      code: 'VALIDATION.FAILED',
    });
    expect((await call('GET', '/v1/referrals/summary?from=2026-03-01&to=2026-03-31', key.state)).status).toBe(200);
    expect((await call('GET', '/v1/referrals/summary?from=2026-03-01&to=2026-03-31', { ...key.state, accept: 'text/csv' })).status).toBe(200);
    expect((await call('GET', '/v1/referrals/summary?from=2026-03-01&to=2026-03-31&groupBy=nothing', key.state)).status).toBe(400);
  });

  it('agreements, audit, alerts, quarantine', async () => {
    expect((await call('GET', '/v1/agreements', key.secretariat)).body.agreements).toHaveLength(1);
    expect((await call('GET', '/v1/agreements?unknown=1', key.secretariat)).status).toBe(400);
    expect((await call('GET', '/v1/audit', key.secretariat)).status).toBe(200);
    expect((await call('GET', '/v1/audit?about=mine', key.secretariat)).body).toMatchObject({ status: 403, code: 'AUDIT.FORBIDDEN' });
    expect((await call('GET', '/v1/alerts', key.org)).status).toBe(200);
    expect((await call('GET', '/v1/alerts', { ...key.org, accept: 'text/csv' })).status).toBe(200);
    expect((await call('GET', '/v1/alerts?status=some', key.org)).status).toBe(400);
    expect((await call('GET', '/v1/quarantine', key.admin)).status).toBe(200);
    expect((await call('GET', '/v1/quarantine', key.secretariat)).status).toBe(403);
  });

  it('releases: list, cut, schedule; bodies refused by size, type and content, in Russian when asked', async () => {
    expect((await call('GET', '/v1/releases', key.org)).body.releases).toHaveLength(1);
    expect((await call('GET', '/v1/releases', { authorization: 'Bearer nothing' })).status).toBe(401);
    expect((await call('POST', '/v1/releases', key.admin, { dataUntil: '2026-04-30' })).status).toBe(201);
    expect((await call('POST', '/v1/releases', key.admin, { dataUntil: '2026-01-31' })).body).toMatchObject({ status: 409, code: 'RELEASE.BACKWARDS' });
    expect((await call('POST', '/v1/releases', key.admin, { reason: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await call('POST', '/v1/releases', { ...key.admin, 'content-type': 'text/plain' }, undefined, 'x')).status).toBe(415);
    expect((await call('POST', '/v1/releases', key.admin, undefined, '{"dataUntil":')).status).toBe(400);
    const ru = await call('POST', '/v1/releases', { ...key.admin, 'accept-language': 'ru' }, { dataUntil: 'soon' });
    expect(ru.body).toMatchObject({
      status: 422,
      title: 'Данные не прошли проверку',
      errors: [{ field: 'dataUntil', message: 'dataUntil должно быть датой ГГГГ-ММ-ДД' }, expect.anything()],
    });
    expect((await call('PUT', '/v1/releases/schedule', key.secretariat, { frequency: 'weekly', atUtc: '02:00' })).body).toMatchObject({ frequency: 'weekly' });
    expect((await call('PUT', '/v1/releases/schedule', key.secretariat, { frequency: 'hourly', atUtc: '2am' })).status).toBe(422);
    expect((await call('PUT', '/v1/releases/schedule', key.state, { frequency: 'weekly', atUtc: '02:00' })).status).toBe(403);
  });

  it('serves the feed, the signing keys, the SDMX code lists and the other formats as documented', async () => {
    // The feed writer runs every second: the secretariat's grant is its first item.
    const page = await waitFor(
      async () => {
        const r = await call('GET', '/v1/feed', key.secretariat);
        return r.body.items?.length > 0 ? r : null;
      },
      { timeoutMs: 20_000, what: "the secretariat's first feed item" },
    );
    expect(page.body.items[0].item.kind).toBe('agreement.granted');
    expect((await call('GET', '/v1/feed?after=nonsense', key.secretariat)).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await call('GET', '/v1/feed?limit=0', key.secretariat)).status).toBe(400);
    expect((await call('GET', '/v1/feed/stream?after=12345', key.secretariat)).status).toBe(400);
    expect((await call('GET', '/v1/signing-keys')).body.keys).toHaveLength(1);
    expect((await call('GET', '/v1/sdmx/codelists', key.org)).status).toBe(200);
    expect((await call('GET', '/v1/sdmx/codelists')).status).toBe(401);
    expect((await call('GET', '/v1/sdmx/codelists/CL_CATEGORY', key.org)).status).toBe(200);
    expect((await call('GET', '/v1/sdmx/codelists/CL_NOPE', key.org)).body).toMatchObject({ status: 404, code: 'SDMX.CODELIST_NOT_FOUND' });
    for (const format of ['sdmx-csv', 'sdmx-json', 'hxl', 'csv']) expect((await call('GET', `${FLOWS}&format=${format}`, key.secretariat)).status).toBe(200);
    expect((await call('GET', `${FLOWS}&format=xlsx`, key.secretariat)).status).toBe(400);
  });

  it('webhook subscriptions, as documented', async () => {
    const created = await call('POST', '/v1/webhooks', key.org, { url: 'https://receiver.invalid/hook', description: 'openapi test' });
    expect(created.status).toBe(201);
    expect((await call('POST', '/v1/webhooks', key.org, { url: 'http://receiver.invalid/hook' })).status).toBe(400);
    expect((await call('GET', '/v1/webhooks', key.org)).body.webhooks).toHaveLength(1);
    expect((await call('GET', '/v1/webhooks')).status).toBe(401);
    expect((await call('GET', `/v1/webhooks/${created.body.id}`, key.org)).body.url).toBe('https://receiver.invalid/hook');
    expect((await call('GET', `/v1/webhooks/${created.body.id}`, key.state)).body).toMatchObject({ status: 404, code: 'WEBHOOKS.NOT_FOUND' });
    expect((await call('POST', `/v1/webhooks/${created.body.id}/redeliver`, key.org, {})).status).toBe(200);
    expect((await call('POST', `/v1/webhooks/${created.body.id}/redeliver`, key.state, {})).status).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${created.body.id}`, key.org)).status).toBe(204);
    expect((await call('DELETE', `/v1/webhooks/${created.body.id}`, key.org)).status).toBe(404);
  });

  it('contingency scenarios and the forecast, as documented', async () => {
    const set = await call('POST', '/v1/scenarios', key.secretariat, {
      target: 'AF>IR>TR',
      planningFigure: 3,
      places: [{ name: 'Mashhad', capacityPerDay: 1 }],
      reason: 'openapi test',
    });
    expect(set.body).toMatchObject({ status: 'active', version: 1, capacityPerDay: 1 });
    expect(
      (await call('POST', '/v1/scenarios', key.secretariat, { target: 'AF>IR>TR', planningFigure: 4, reason: 'stale', expectedVersion: 0 })).body,
    ).toMatchObject({ status: 409, code: 'SECRETARIAT.CONFLICT' });
    expect((await call('POST', '/v1/scenarios', key.state, { target: 'AF>IR>TR', planningFigure: 4, reason: 'not mine' })).status).toBe(403);
    expect((await call('GET', '/v1/scenarios', key.org)).body.scenarios).toHaveLength(1);
    expect((await call('GET', '/v1/scenarios', key.admin)).status).toBe(403);
    const forecast = await call('GET', `/v1/forecasts?routes=${encodeURIComponent('AF>IR>TR')}`, key.secretariat);
    expect(forecast.body.series[0]).toMatchObject({ route: 'AF>IR>TR', scenario: { planningFigure: 3 } });
    expect(forecast.body.series[0].forecast.weeks).toHaveLength(4);
    expect((await call('GET', '/v1/forecasts?level=50', key.secretariat)).body).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    expect((await call('POST', '/v1/scenarios/withdrawals', key.secretariat, { target: 'AF>IR>TR', reason: 'done' })).body).toMatchObject({
      status: 'withdrawn',
      version: 2,
    });
    expect((await call('POST', '/v1/scenarios/withdrawals', key.secretariat, { target: 'AF>IR>TR', reason: 'again' })).body).toMatchObject({
      status: 404,
      code: 'SCENARIO.NOT_FOUND',
    });
  });

  it('emergencies: declare, read, ask under one, list what was shared, end; not the secretariat, unknown, out of scope, over', async () => {
    const body = { routes: ['AF>IR>TR'], days: 10, reason: 'openapi test' };
    expect((await call('POST', '/v1/emergencies', key.org, body)).body).toMatchObject({ status: 403, code: 'EMERGENCY.FORBIDDEN' });
    const declared = await call('POST', '/v1/emergencies', key.secretariat, body);
    expect(declared.status).toBe(201);
    const id = declared.body.emergencyId;
    const unknown = '01963c4e-0000-7000-8000-000000000000';
    expect((await call('GET', '/v1/emergencies', key.org)).body.emergencies).toHaveLength(1);
    expect((await call('GET', '/v1/emergencies?x=1', key.org)).status).toBe(400);
    expect((await call('GET', `/v1/emergencies/${id}`, key.state)).status).toBe(200);
    expect((await call('GET', `/v1/emergencies/${unknown}`, key.state)).body).toMatchObject({ status: 404, code: 'EMERGENCY.NOT_FOUND' });
    expect((await call('GET', `${FLOWS}&emergency=${id}`, key.secretariat)).body.disclosure.emergency).toMatchObject({ id, status: 'in-force' });
    expect((await call('GET', `${FLOWS}&emergency=${id}&routes=AF>IR>AZ`, key.secretariat)).body).toMatchObject({
      status: 400,
      code: 'EMERGENCY.OUT_OF_SCOPE',
    });
    expect((await call('GET', `/v1/emergencies/${id}/shared`, key.state)).status).toBe(200);
    expect((await call('GET', `/v1/emergencies/${id}/shared`, key.org)).body).toMatchObject({ status: 403, code: 'EMERGENCY.FORBIDDEN' });
    expect((await call('POST', `/v1/emergencies/${id}/end`, key.secretariat, { reason: 'over' })).status).toBe(201);
    expect((await call('POST', `/v1/emergencies/${id}/end`, key.secretariat, { reason: 'over' })).body).toMatchObject({ status: 409, code: 'EMERGENCY.ENDED' });
  });

  it('every answer matched the document, and every operation was called with success and error', () => {
    expect(doc.failures).toEqual([]);
    // Liveness and readiness fail only with the database or the broker away (test/faults covers those);
    // the public signing keys have no error of their own. The live event stream never ends by
    // itself: test/e2e/feeds.e2e-spec.ts follows it.
    expect(doc.uncovered(['GET /v1/health', 'GET /v1/health/ready', 'GET /v1/signing-keys'], ['GET /v1/feed/stream'])).toEqual([]);
  });
});
