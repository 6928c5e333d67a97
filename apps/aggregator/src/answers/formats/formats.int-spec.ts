import { agreementGranted, bearer, issueKey, movementRecorded, referralLifecycle, testSigningKeys } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync } from 'node:child_process';
import { Pool } from 'pg';
import { regionalIngests } from '../../regional-ingests';
import type { ReferralSummary } from '../referral-summary';
import { cutRelease } from '../../releases/infrastructure/pg-releases';
import { InProcessAggregator, startInProcessAggregator } from '../../testing/in-process-aggregator';
import { signedMessages } from '../../testing/signed-messages';

/** A standard CSV reader: Python's csv module (python3 is on every machine the project runs on),
 * rather than a new npm dependency. */
const readCsv = (text: string, delimiter = ','): Record<string, string>[] =>
  JSON.parse(
    execFileSync('python3', ['-c', `import csv, json, sys; print(json.dumps(list(csv.DictReader(sys.stdin, delimiter=${JSON.stringify(delimiter)}))))`], {
      input: text,
    }).toString(),
  );

/**
 * The exchange formats and conditional requests on the real service (in-process, real
 * PostgreSQL): Iran shares referrals and routes with the secretariat at k = 5, Pakistan its
 * referrals at k = 1, so the secretariat's summary holds exact, adjusted and withheld figures.
 */
describe('exchange formats and conditional requests (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  const key: Record<string, Record<string, string>> = {};
  const { msg } = signedMessages();
  const get = (path: string, who: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: path, headers: { ...key[who], ...headers } });
  const SUMMARY = '/v1/referrals/summary?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=referredTo';
  const FLOWS = '/v1/flows?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=route';
  // The requests' own rows: the feed writer audits the items it computes for a new release in the
  // background (endpoint `FEED <kind>`), at a moment of its own.
  const auditRows = async () => Number((await pool.query(`SELECT count(*) AS n FROM audit_log WHERE endpoint NOT LIKE 'FEED %'`)).rows[0].n);

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_formats');
    ({ app, pool } = aggregator);
    url = aggregator.url;
    const trusted = testSigningKeys().registry();
    const referrals = { scope: { eventKinds: ['referrals' as const] }, dimensions: ['provider', 'category', 'referredTo', 'status', 'specificNeeds'] as never };
    await regionalIngests(pool, 'g', trusted).agreements.ingest([
      msg(agreementGranted('IR', { ...referrals, minCellSize: 5 })),
      msg(agreementGranted('PK', { ...referrals, minCellSize: 1 })),
      msg(agreementGranted('IR', { dimensions: ['route'], minCellSize: 5 })),
    ]);
    const lifecycles = [
      ...Array.from({ length: 7 }, () => referralLifecycle(['made', 'accepted'], { hoursBetween: [2], data: { referredTo: 'child_protection' } })),
      ...Array.from({ length: 3 }, () => referralLifecycle(['made', 'accepted'], { hoursBetween: [4], data: { referredTo: 'legal_aid' } })),
      ...Array.from({ length: 3 }, () => referralLifecycle(['made', 'accepted'], { provider: 'PK', hoursBetween: [10], data: { referredTo: 'medical' } })),
    ];
    await regionalIngests(pool, 'g', trusted).referrals.ingest(lifecycles.flat().map(msg));
    const movements = Array.from({ length: 9 }, () =>
      msg(
        movementRecorded({
          provider: 'IR',
          occurredOn: '2026-03-05',
          data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' },
        }),
      ),
    );
    await regionalIngests(pool, 'g', trusted).movements.ingest(movements);
    await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    for (const who of ['secretariat', 'state:IR']) key[who] = bearer(await issueKey(url, 'aggregator', who, 'reader'));
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  it('SDMX-CSV parses with a standard CSV reader, and its confidentiality flags are exactly the withheld values of the JSON answer', async () => {
    const json = (await get(SUMMARY, 'secretariat')).json() as ReferralSummary;
    const res = await get(SUMMARY, 'secretariat', { accept: 'application/vnd.sdmx.data+csv;version=2.0.0' });
    expect(res.headers['content-type']).toContain('application/vnd.sdmx.data+csv');
    const rows = readCsv(res.body);
    expect(Object.keys(rows[0]).slice(0, 3)).toEqual(['STRUCTURE', 'STRUCTURE_ID', 'ACTION']);
    const durations = [
      ['HOURS_TO_ACCEPTANCE_MEDIAN', (r: ReferralSummary['rows'][number]) => r.toAcceptance.medianHours],
      ['HOURS_TO_ACCEPTANCE_P90', (r: ReferralSummary['rows'][number]) => r.toAcceptance.p90Hours],
      ['HOURS_TO_CLOSURE_MEDIAN', (r: ReferralSummary['rows'][number]) => r.toClosure.medianHours],
      ['REFERRALS', (r: ReferralSummary['rows'][number]) => r.referrals],
    ] as const;
    const seen = new Set<string>();
    for (const row of json.rows) {
      for (const [measure, value] of durations) {
        const cell = rows.find((r) => r.REFERRED_TO === row.referredTo && r.MEASURE === measure)!;
        const v = value(row);
        expect([row.referredTo, measure, cell.CONF_STATUS, cell.OBS_VALUE]).toEqual([
          row.referredTo,
          measure,
          v === null ? 'C' : 'F',
          v === null ? '' : String(v),
        ]);
        seen.add(cell.CONF_STATUS);
      }
    }
    // Pakistan's exact medical referrals give a free median, Iran's closures none: both kinds are tested.
    expect([...seen].sort()).toEqual(['C', 'F']);
    expect(rows).toHaveLength(json.rows.length * 15);
  });

  it('serves SDMX-JSON with names in the caller’s language, HXL rows, and the spreadsheet CSV with ; on request', async () => {
    const json = (await get(SUMMARY, 'secretariat')).json() as ReferralSummary;
    const sdmx = await get(`${SUMMARY}&format=sdmx-json`, 'secretariat', { 'accept-language': 'ru' });
    expect(sdmx.headers['content-language']).toBe('ru');
    const message = sdmx.json();
    expect(Object.keys(message.data.dataSets[0].observations)).toHaveLength(json.rows.length * 15);
    const referredTo = message.data.structures[0].dimensions.observation.find((d: { id: string }) => d.id === 'REFERRED_TO');
    expect(referredTo.values.map((v: { name: string }) => v.name)).toContain('Медицинская помощь');

    const hxl = await get(`${SUMMARY}&format=hxl`, 'secretariat');
    const [, tags, ...data] = hxl.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(tags.startsWith('"#date"')).toBe(true);
    expect(data).toHaveLength(json.rows.length);

    const csv = await get(`${SUMMARY}&format=csv&delimiter=semicolon`, 'secretariat');
    expect(csv.body.startsWith('\uFEFF#')).toBe(true);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="referrals_2026-03-01_2026-03-31\.csv"$/);
    const table = readCsv(
      csv.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter((l) => !l.startsWith('#'))
        .join('\r\n'),
      ';',
    );
    expect(table.map((r) => r.referredTo)).toEqual(json.rows.map((r) => r.referredTo));
  });

  it('refuses an unknown format or delimiter with 400 naming it', async () => {
    for (const bad of ['format=xml', 'delimiter=tab']) {
      const res = await get(`${SUMMARY}&${bad}`, 'secretariat');
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(bad.split('=')[0]);
    }
  });

  it('answers a repeat with 304 and no body, audited as the 200 was; another principal gets another tag; a new release a new one', async () => {
    const first = await get(FLOWS, 'secretariat');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.vary).toBe('Authorization, Accept, Accept-Language');
    const before = await auditRows();
    const again = await get(FLOWS, 'secretariat', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(await auditRows()).toBe(before + 1);

    const own = await get(FLOWS, 'state:IR');
    expect(own.json().disclosure.method.exact).toEqual(['IR']);
    expect(own.headers.etag).not.toBe(etag);
    expect((await get(FLOWS, 'state:IR', { 'if-none-match': etag })).statusCode).toBe(200);
    // The same answer in another format is another representation, with its own tag.
    expect((await get(`${FLOWS}&format=sdmx-csv`, 'secretariat', { 'if-none-match': etag })).statusCode).toBe(200);

    await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: 'again' });
    const next = await get(FLOWS, 'secretariat', { 'if-none-match': etag });
    expect(next.statusCode).toBe(200);
    expect(next.headers.etag).not.toBe(etag);
  });

  it('tags alerts, reference data and code lists too', async () => {
    for (const path of ['/v1/alerts', '/v1/reference', '/v1/sdmx/codelists', '/v1/sdmx/codelists/CL_COUNTRY']) {
      const res = await get(path, 'secretariat');
      expect([path, res.statusCode]).toEqual([path, 200]);
      const again = await get(path, 'secretariat', { 'if-none-match': res.headers.etag as string });
      expect([path, again.statusCode, again.body]).toEqual([path, 304, '']);
    }
    const ru = (await get('/v1/sdmx/codelists/CL_COUNTRY', 'secretariat', { 'accept-language': 'ru' })).json();
    expect(ru.data.codelists[0].codes.find((c: { id: string }) => c.id === 'AFG')).toMatchObject({ name: 'Афганистан', annotations: [{ title: 'AF' }] });
    expect((await get('/v1/sdmx/codelists/CL_NOPE', 'secretariat')).statusCode).toBe(404);
  });
});
