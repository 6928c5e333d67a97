import { agreementGranted, bearer, issueKey, movementRecorded, testSigningKeys } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import { FeedWriter } from '../feeds/application/feed-writer';
import type { StoredFeedItem } from '../answers/feed-item';
import type { FlowAnswer } from '../answers/flow-answer';
import { cutRelease } from '../releases/infrastructure/pg-releases';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';
import { forecastFromFlows, ForecastAnswer } from './domain/served-forecast';
import { signedMessages } from '../testing/signed-messages';

/**
 * The served forecast and its alert on the real PostgreSQL: each principal's forecast is the
 * forecaster applied to its own GET /v1/flows weekly answer (nothing else goes in); a state that
 * grants the caller nothing (or only monthly figures) shows nothing; the forecast.exceedance item
 * reaches whoever may see the route weekly, once per release.
 */
describe('the served forecast and its alert (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let pool: Pool;
  let writer: FeedWriter;
  const keys = new Map<string, Record<string, string>>();
  const { msg } = signedMessages();
  const get = (path: string, who: string) => app.inject({ method: 'GET', url: path, headers: keys.get(who) });
  const toUrl = (path: string, q: Record<string, unknown>) =>
    `${path}?${new URLSearchParams(
      Object.entries(q)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    )}`;
  const FORECAST = `/v1/forecasts?routes=${encodeURIComponent('AF>IR>TR,AF>PK>IR')}`;
  const exceedances = async (who: string) => {
    const res = await get('/v1/feed', who);
    return (res.json().items as StoredFeedItem[]).filter((s) => s.item.kind === 'forecast.exceedance');
  };

  // Iran shares routes weekly with UNHCR (k = 5); Pakistan routes with Türkiye monthly only.
  const irGrant = agreementGranted('IR', {
    recipient: 'org:UNHCR',
    dimensions: ['route', 'category'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
  });
  const pkGrant = agreementGranted('PK', {
    recipient: 'state:TR',
    dimensions: ['route'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 1,
  });
  // 24 weeks from Monday 2026-06-01 to Sunday 2026-11-15: a steady flow, then a surge on AF>IR>TR.
  const WEEKS = 24;
  const irWeek = (i: number) => (i < 20 ? 20 + (i % 3) * 2 : 60 + 20 * (i - 20));
  const day = (week: number, d: number) => new Date(Date.UTC(2026, 5, 1 + 7 * week + d)).toISOString().slice(0, 10);

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('forecast', { env: { CONSUME: 'false' } });
    ({ app, pool } = aggregator);
    writer = app.get(FeedWriter);
    for (const [who, role] of [
      ['secretariat', 'reader'],
      ['org:UNHCR', 'reader'],
      ['state:TR', 'reader'],
      ['state:IR', 'reader'],
    ])
      keys.set(who, bearer(await issueKey(aggregator.url, 'aggregator', who, role)));
    await regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest([irGrant, pkGrant].map(msg));
    const movements = [];
    for (let w = 0; w < WEEKS; w++) {
      for (let n = 0; n < irWeek(w); n++)
        movements.push(
          movementRecorded({
            provider: 'IR',
            occurredOn: day(w, n % 3),
            data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR', category: n % 4 ? 'refugee' : 'irregular_migrant' },
          }),
        );
      if (w >= WEEKS - 10)
        for (let n = 0; n < 10; n++)
          movements.push(
            movementRecorded({
              provider: 'PK',
              occurredOn: day(w, 1),
              data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'AF', intendedDestination: 'IR' },
            }),
          );
    }
    const ingest = regionalIngests(pool, 'g', testSigningKeys().registry()).movements;
    for (let i = 0; i < movements.length; i += 250) await ingest.ingest(movements.slice(i, i + 250).map(msg));
    await cutRelease(pool, { dataUntil: '2026-11-15', by: 'test', reason: null });
    const scenario = await app.inject({
      method: 'POST',
      url: '/v1/scenarios',
      headers: { ...keys.get('secretariat'), 'content-type': 'application/json' },
      payload: JSON.stringify({ target: 'AF>IR>TR', planningFigure: 70, capacityPerDay: 12, reason: 'winter plan' }),
    });
    expect(scenario.statusCode).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await aggregator?.close();
  });

  it('gives each principal the forecaster applied to its own weekly GET /v1/flows answer, and nothing else', async () => {
    const scenarios = (await get('/v1/scenarios', 'org:UNHCR'))
      .json()
      .scenarios.map((s: { target: string; version: number; planningFigure: number; capacityPerDay: number }) => ({
        target: s.target,
        version: s.version,
        planningFigure: s.planningFigure,
        capacityPerDay: s.capacityPerDay,
      }));
    for (const who of ['org:UNHCR', 'state:TR', 'state:IR', 'secretariat']) {
      const res = await get(FORECAST, who);
      expect([who, res.statusCode]).toEqual([who, 200]);
      const answer = res.json() as ForecastAnswer;
      const flows = await get(toUrl('/v1/flows', answer.flowsQuery as unknown as Record<string, unknown>), who);
      expect(flows.statusCode).toBe(200);
      const own = forecastFromFlows(flows.json() as FlowAnswer, scenarios, answer.query, answer.flowsQuery);
      expect(answer).toEqual(JSON.parse(JSON.stringify(own)));
      expect(answer.disclosure).toEqual(flows.json().disclosure);
    }
    const unhcr = (await get(FORECAST, 'org:UNHCR')).json() as ForecastAnswer;
    expect(unhcr.flowsQuery).toEqual({
      from: '2024-11-18',
      to: '2026-11-15',
      granularity: 'week',
      groupBy: ['route'],
      routes: ['AF>IR>TR', 'AF>PK>IR'],
      coarser: 'exclude',
    });
    const [ir, pk] = unhcr.series;
    expect(ir).toMatchObject({ route: 'AF>IR>TR', note: null, scenario: { version: 1, planningFigure: 70, capacityPerWeek: 84 } });
    expect(ir.history).toHaveLength(WEEKS);
    expect(ir.forecast!.weeks.map((w) => w.week)).toEqual(['2026-W47', '2026-W48', '2026-W49', '2026-W50']);
    expect(ir.alerts.map((a) => [a.figure, a.limit, a.week, a.expected])).toEqual([
      ['planningFigure', 70, '2026-W47', true],
      ['capacity', 84, '2026-W47', true],
    ]);
    // Pakistan grants UNHCR nothing: its route shows nothing, not even that it exists.
    expect(pk).toMatchObject({ route: 'AF>PK>IR', history: [], forecast: null, alerts: [] });
    expect(JSON.stringify(unhcr)).not.toMatch(/"PK"/);
    // Türkiye sees Pakistan only monthly: left out of a weekly forecast, and said so; Iran's route, nothing.
    const tr = (await get(FORECAST, 'state:TR')).json() as ForecastAnswer;
    expect(tr.series.every((s) => s.forecast === null && s.history.length === 0)).toBe(true);
    expect(tr.disclosure.leftOut).toEqual([expect.objectContaining({ provider: 'PK', reason: expect.stringMatching(/month/) })]);
    // Iran sees its own route exactly; by category too.
    const own = (await get(`${FORECAST}&byCategory=true`, 'state:IR')).json() as ForecastAnswer;
    expect(own.series.map((s) => [s.route, s.category, s.scenario])).toEqual([
      ['AF>IR>TR', 'irregular_migrant', null],
      ['AF>IR>TR', 'refugee', null],
    ]);
    expect(own.series[1].history.at(-1)!.count + own.series[0].history.at(-1)!.count).toBe(irWeek(WEEKS - 1));
    // Audited as the flows answer it is built from.
    const { rows } = await pool.query(`SELECT principal, providers FROM audit_log WHERE endpoint = 'GET /v1/forecasts' AND principal = 'org:UNHCR' LIMIT 1`);
    expect(rows).toEqual([{ principal: 'org:UNHCR', providers: ['IR'] }]);
    expect((await get('/v1/forecasts?routes=AF-IR-TR', 'org:UNHCR')).statusCode).toBe(400);
    expect((await get('/v1/forecasts?level=90', 'org:UNHCR')).statusCode).toBe(400);
  });

  it('puts one forecast.exceedance item per release in the feeds of those who may see the route weekly', async () => {
    await writer.catchUp();
    const unhcr = await exceedances('org:UNHCR');
    expect(unhcr.map((s) => s.item.id)).toEqual(['forecast/1/AF>IR>TR/1']);
    const rest = (await get(FORECAST, 'org:UNHCR')).json() as ForecastAnswer;
    expect(unhcr[0].item.data).toMatchObject({
      route: 'AF>IR>TR',
      release: { id: 1 },
      alerts: rest.series[0].alerts,
      forecast: rest.series[0].forecast,
      disclosure: rest.disclosure,
    });
    expect((await exceedances('state:IR')).map((s) => s.item.id)).toEqual(['forecast/1/AF>IR>TR/1']);
    expect(await exceedances('state:TR')).toEqual([]);
    expect(await exceedances('secretariat')).toEqual([]);
    const audited = await pool.query(`SELECT principal FROM audit_log WHERE endpoint = 'FEED forecast.exceedance' ORDER BY principal`);
    expect(audited.rows.map((r) => r.principal)).toEqual(['org:UNHCR', 'state:IR']);
    // Running again adds nothing; the next release, one more.
    await writer.catchUp();
    await writer.catchUp();
    expect(await exceedances('org:UNHCR')).toEqual(unhcr);
    await cutRelease(pool, { dataUntil: '2026-11-15', by: 'test', reason: null });
    await writer.catchUp();
    expect((await exceedances('org:UNHCR')).map((s) => s.item.id)).toEqual(['forecast/1/AF>IR>TR/1', 'forecast/2/AF>IR>TR/1']);
    // A planning figure raised above any forecast: the new version raises nothing.
    const raised = await app.inject({
      method: 'POST',
      url: '/v1/scenarios',
      headers: { ...keys.get('secretariat'), 'content-type': 'application/json' },
      payload: JSON.stringify({ target: 'AF>IR>TR', planningFigure: 100_000, reason: 'new reception centre' }),
    });
    expect(raised.statusCode).toBe(201);
    await writer.catchUp();
    expect(await exceedances('org:UNHCR')).toHaveLength(2);
  });
});
