import { agreementAmended, agreementGranted, agreementRevoked, bearer, issueKey, movementRecorded, testSigningKeys, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from '../../regional-ingests';
import { PG_POOL } from '../../infrastructure/tokens';
import { cutRelease } from '../../releases/infrastructure/pg-releases';
import { pendingWork } from '../../feeds/infrastructure/pg-feed-writes';
import { InProcessAggregator, startInProcessAggregator } from '../../testing/in-process-aggregator';
import { signedMessages } from '../../testing/signed-messages';

/**
 * The registry's change counter (migration registry-changes) read with each request's API key: a
 * repeated question does not re-read the grants while the counter stands, and every change to the
 * agreements or the releases — written by another connection, as the ingest, the CLI or a release
 * cut do — moves it, so that the very next request is answered under it. On the real PostgreSQL,
 * through HTTP (the guard reads the counter, the controller hands it on).
 */
describe('registry change counter on GET /v1/flows (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let pool: Pool;
  let key: string;
  const { msg } = signedMessages();
  const FLOWS = '/v1/flows?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=route';
  const grant = agreementGranted('IR', { recipient: 'secretariat', dimensions: ['route'], minCellSize: 1 });
  const counter = async () => (await pool.query('SELECT n FROM registry_changes')).rows[0].n as string;

  /** The app's reads of the grants (the statement of PgAgreementRegistry's grouped read). */
  let grantsReads = 0;
  /** Until the app's feed writer has written what the last change calls for: it reads the grants
   * too (its own answers carry no counter), and those reads are not the requests'. */
  const settled = () =>
    waitFor(
      async () => {
        const p = await pendingWork(pool, new Date().toISOString().slice(0, 10));
        return p.release === null && !p.alerts && !p.agreements;
      },
      { what: 'the feed writer to catch up' },
    );
  const ask = async () => {
    const res = await app.inject({ method: 'GET', url: FLOWS, headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    return res.json() as { release: { id: number } | null; totals: { count: number }; disclosure: { agreements: { provider: string }[] } };
  };

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_registry_changes');
    ({ app, pool } = aggregator);
    const appPool = app.get<Pool>(PG_POOL);
    const query = appPool.query.bind(appPool) as (...args: unknown[]) => unknown;
    jest.spyOn(appPool, 'query').mockImplementation(((text: unknown, ...rest: unknown[]) => {
      if (typeof text === 'string' && text.includes('LEFT JOIN (SELECT * FROM releases ORDER BY release_id DESC LIMIT 1) r')) grantsReads++;
      return query(text, ...rest);
    }) as never);
    const ingests = regionalIngests(pool, 'g', testSigningKeys().registry());
    const route = { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' } as const;
    await ingests.movements.ingest(Array.from({ length: 6 }, () => msg(movementRecorded({ provider: 'IR', occurredOn: '2026-03-05', data: route }))));
    key = await issueKey(aggregator.url, 'aggregator', 'secretariat', 'reader');
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  it('moves with every committed change to the agreements or the releases, at commit', async () => {
    const ingests = regionalIngests(pool, 'g', testSigningKeys().registry());
    const n0 = BigInt(await counter());
    await ingests.agreements.ingest([msg(grant)]);
    const n1 = BigInt(await counter());
    expect(n1).toBeGreaterThan(n0);
    // A change not yet committed is not counted: a reader sees the old rows and the old count.
    const writer = await pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE agreements SET terms = terms WHERE provider = 'IR'`);
      expect(BigInt(await counter())).toBe(n1);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    const n2 = BigInt(await counter());
    expect(n2).toBeGreaterThan(n1);
    await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    expect(BigInt(await counter())).toBeGreaterThan(n2);
  });

  it('re-reads the grants only when the counter moved, and applies any change on the very next request', async () => {
    const first = await ask();
    expect(first.totals.count).toBe(6);
    expect(first.disclosure.agreements.map((a) => a.provider)).toEqual(['IR']);

    // Nothing changed: the answers come from the grants already read, with no read of them.
    await settled();
    grantsReads = 0;
    for (let i = 0; i < 5; i++) expect((await ask()).totals.count).toBe(6);
    expect(grantsReads).toBe(0);

    // An amendment written by another connection: the very next answer is cut to it.
    const ingests = regionalIngests(pool, 'g', testSigningKeys().registry());
    await ingests.agreements.ingest([msg(agreementAmended(grant, { minCellSize: 7 }))]);
    const amended = await ask();
    expect(amended.totals.count).not.toBe(6); // 6 movements under k = 7: published as 0 or 7

    // A new release: the very next answer is from it.
    const release = await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    expect((await ask()).release?.id).toBe(release.id);

    // A direct change of the table (as an operator's SQL would make): the next answer sees it.
    await pool.query(`UPDATE agreements SET terms = jsonb_set(terms, '{minCellSize}', '1') WHERE provider = 'IR'`);
    expect((await ask()).totals.count).toBe(6);

    // A revocation: the very next answer has nothing of Iran.
    await ingests.agreements.ingest([msg(agreementRevoked(grant, 3))]);
    const revoked = await ask();
    expect(revoked.disclosure.agreements).toEqual([]);
    expect(revoked.totals.count).toBe(0);

    // And again nothing changed: one read for the first request after the last change at most
    // (the feed writer's may have come first), none after.
    await settled();
    await ask();
    grantsReads = 0;
    for (let i = 0; i < 3; i++) expect((await ask()).totals.count).toBe(0);
    expect(grantsReads).toBe(0);
  });
});
