import { bearer, issueKey } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';

/**
 * Contingency scenarios on the real PostgreSQL, through the API: set by the secretariat only,
 * versioned in the secretariat log with who and why, 409 on a stale or concurrent change, bad
 * input refused with nothing stored, withdrawn with the history kept, listed to every reader.
 */
describe('contingency scenarios (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let pool: Pool;
  const keys = new Map<string, Record<string, string>>();
  const post = (path: string, who: string, body: unknown) =>
    app.inject({ method: 'POST', url: path, headers: { ...keys.get(who), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const get = (path: string, who: string) => app.inject({ method: 'GET', url: path, headers: keys.get(who) });
  const stored = async () =>
    (await pool.query(`SELECT stream_id, stream_version, type, recorded_by, data->>'reason' AS reason FROM secretariat_events ORDER BY seq`)).rows;

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('scenarios', { env: { CONSUME: 'false' } });
    ({ app, pool } = aggregator);
    for (const [who, role] of [
      ['secretariat', 'reader'],
      ['state:IR', 'reader'],
      ['org:UNHCR', 'reader'],
      ['admin', 'admin'],
    ])
      keys.set(who, bearer(await issueKey(aggregator.url, 'aggregator', who, role)));
  }, 60_000);

  afterAll(async () => {
    await aggregator?.close();
  });

  it('lets the secretariat set a scenario, versioned with who and why; nobody else', async () => {
    const first = await post('/v1/scenarios', 'secretariat', {
      target: 'AF>IR>TR',
      planningFigure: 400,
      places: [
        { name: 'Mashhad', capacityPerDay: 30 },
        { name: 'Zahedan', capacityPerDay: 20 },
      ],
      reason: 'winter plan',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      target: 'AF>IR>TR',
      targetKind: 'route',
      status: 'active',
      version: 1,
      planningFigure: 400,
      capacityPerDay: 50,
      capacityPerWeek: 350,
      recordedBy: 'secretariat',
    });
    const second = await post('/v1/scenarios', 'secretariat', {
      target: 'AF>IR>TR',
      planningFigure: 600,
      capacityPerDay: 80,
      reason: 'revised after the surge',
      expectedVersion: 1,
    });
    expect(second.statusCode).toBe(201);
    expect(second.json().history.map((h: { version: number; reason: string }) => [h.version, h.reason])).toEqual([
      [1, 'winter plan'],
      [2, 'revised after the surge'],
    ]);
    expect(
      (await post('/v1/scenarios', 'secretariat', { target: 'IR-DOGHAROUN', capacityPerDay: 120, reason: 'crossing point reception' })).json(),
    ).toMatchObject({ targetKind: 'borderCrossingPoint', planningFigure: null, version: 1 });
    for (const who of ['state:IR', 'org:UNHCR', 'admin']) {
      const refused = await post('/v1/scenarios', who, { target: 'AF>IR>TR', planningFigure: 1, reason: 'mine' });
      expect([who, refused.statusCode, refused.json().code]).toEqual([who, 403, 'AUTH.FORBIDDEN']);
    }
    expect(await stored()).toEqual([
      { stream_id: 'scenario-AF>IR>TR', stream_version: 1, type: 'ScenarioSet', recorded_by: 'secretariat', reason: 'winter plan' },
      { stream_id: 'scenario-AF>IR>TR', stream_version: 2, type: 'ScenarioSet', recorded_by: 'secretariat', reason: 'revised after the surge' },
      { stream_id: 'scenario-IR-DOGHAROUN', stream_version: 1, type: 'ScenarioSet', recorded_by: 'secretariat', reason: 'crossing point reception' },
    ]);
  });

  it('refuses bad input and stale or concurrent changes with nothing stored', async () => {
    const before = await stored();
    const bad: [unknown, number, string][] = [
      [{ target: 'AF>IR', planningFigure: 10, reason: 'x' }, 422, 'target'],
      [{ target: 'AF>IR>TR', planningFigure: -1, reason: 'x' }, 422, 'planningFigure'],
      [{ target: 'AF>IR>TR', reason: 'x' }, 422, 'planningFigure'],
      [{ target: 'AF>IR>TR', planningFigure: 10, reason: '' }, 422, 'reason'],
      [{ target: 'AF>IR>TR', capacityPerDay: 10, places: [{ name: 'A', capacityPerDay: 4 }], reason: 'x' }, 422, 'capacityPerDay'],
      [{ target: 'AF>IR>TR', planningFigure: 10, reason: 'x', extra: 1 }, 422, 'extra'],
    ];
    for (const [body, status, field] of bad) {
      const res = await post('/v1/scenarios', 'secretariat', body);
      expect([status, res.json().code, res.json().errors.map((e: { field: string }) => e.field)]).toEqual([
        status,
        'VALIDATION.FAILED',
        expect.arrayContaining([field]),
      ]);
    }
    const stale = await post('/v1/scenarios', 'secretariat', { target: 'AF>IR>TR', planningFigure: 700, reason: 'stale', expectedVersion: 1 });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'SECRETARIAT.CONFLICT']);
    // Four officers change it at once from the same version: exactly one wins.
    const racing = await Promise.all(
      [1, 2, 3, 4].map((n) => post('/v1/scenarios', 'secretariat', { target: 'AF>IR>TR', planningFigure: 700 + n, reason: `race ${n}`, expectedVersion: 2 })),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
    expect((await stored()).length).toBe(before.length + 1);
    const ru = await app.inject({
      method: 'POST',
      url: '/v1/scenarios',
      headers: { ...keys.get('secretariat'), 'content-type': 'application/json', 'accept-language': 'ru' },
      payload: JSON.stringify({ target: 'AF>IR>TR', planningFigure: 1, reason: 'x', expectedVersion: 0 }),
    });
    expect(ru.json().detail).toMatch(/^scenario-AF>IR>TR изменено тем временем \(версия 3 уже есть\)/);
    expect((await stored()).length).toBe(before.length + 1);
  });

  it('withdraws with a reason, keeps the history, and lists to every reader (not the admin)', async () => {
    const withdrawn = await post('/v1/scenarios/withdrawals', 'secretariat', { target: 'IR-DOGHAROUN', reason: 'crossing closed' });
    expect(withdrawn.statusCode).toBe(201);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', version: 2, planningFigure: null, capacityPerDay: null, reason: 'crossing closed' });
    expect((await post('/v1/scenarios/withdrawals', 'secretariat', { target: 'IR-DOGHAROUN', reason: 'again' })).json()).toMatchObject({
      status: 404,
      code: 'SCENARIO.NOT_FOUND',
    });
    expect((await post('/v1/scenarios/withdrawals', 'state:IR', { target: 'AF>IR>TR', reason: 'mine' })).statusCode).toBe(403);
    for (const who of ['secretariat', 'state:IR', 'org:UNHCR']) {
      const active = await get('/v1/scenarios', who);
      expect(active.statusCode).toBe(200);
      expect(active.json().scenarios.map((s: { target: string; version: number }) => [s.target, s.version])).toEqual([['AF>IR>TR', 3]]);
    }
    const all = (await get('/v1/scenarios?status=all', 'org:UNHCR')).json().scenarios;
    expect(all.map((s: { target: string; status: string; history: unknown[] }) => [s.target, s.status, s.history.length])).toEqual([
      ['AF>IR>TR', 'active', 3],
      ['IR-DOGHAROUN', 'withdrawn', 2],
    ]);
    expect((await get('/v1/scenarios', 'admin')).statusCode).toBe(403);
    expect((await get('/v1/scenarios?status=some', 'org:UNHCR')).statusCode).toBe(400);
    const audit = await pool.query(`SELECT principal FROM audit_log WHERE endpoint = 'GET /v1/scenarios' ORDER BY id`);
    expect(audit.rows.length).toBeGreaterThanOrEqual(4);
  });
});
