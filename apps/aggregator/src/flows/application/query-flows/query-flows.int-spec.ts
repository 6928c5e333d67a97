import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementAmended, agreementGranted, agreementRevoked, dropTestDatabase, freshTestDatabase, movementRecorded, movementRetracted, signed, testSigningKeys } from '@caravanserai/testing';
import { Pool } from 'pg';
import { AggregatorConfig } from '../../../config/aggregator.config';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { AgreementIngest } from '../../../agreements/infrastructure/pg-agreement-ingest';
import type { IncomingMessage } from '../../../infrastructure/batch-ingest.port';
import { FlowQuery } from '../../domain/flow-query';
import { RegionalIngest } from '../../infrastructure/pg-regional-ingest';
import { rebuildFlows } from '../rebuild-flows/rebuild-flows';
import { QueryFlowsHandler } from './query-flows.handler';
import { QueryFlows } from './query-flows.query';

const trusted = testSigningKeys().registry();

/** Flows as each caller may see them, on the real PostgreSQL, with agreements and suppression. */
describe('QueryFlowsHandler with agreements (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let handler: QueryFlowsHandler;
  let movements: RegionalIngest;
  let agreements: AgreementIngest;
  let offset = 0;
  const msg = (value: unknown): IncomingMessage => ({ topic: 't', partition: 0, offset: String(offset++), key: null, value: Buffer.from(JSON.stringify(signed(value))) });
  const ask = (principal: string, q: Partial<FlowQuery> = {}) =>
    handler.execute(new QueryFlows({ from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy: ['route', 'category'], ...q }, principal));
  const cells = (answer: Awaited<ReturnType<typeof ask>>) =>
    Object.fromEntries(answer.rows.map((r) => [`${r.period} ${r.route ?? ''} ${r.category ?? ''}`.trim(), r.count ?? r.suppressed]));

  // IR: 12 refugees and 3 asylum seekers on AF>IR>TR, 2 victims of trafficking. PK: 20 returnees.
  const irRoute = { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' } as const;
  const seed = [
    ...Array.from({ length: 12 }, (_, i) => movementRecorded({ provider: 'IR', occurredOn: `2026-03-${String(1 + (i % 20)).padStart(2, '0')}`, data: { ...irRoute, category: 'refugee' } })),
    ...Array.from({ length: 3 }, () => movementRecorded({ provider: 'IR', occurredOn: '2026-03-05', data: { ...irRoute, category: 'asylum_seeker' } })),
    ...Array.from({ length: 2 }, () => movementRecorded({ provider: 'IR', occurredOn: '2026-03-06', data: { ...irRoute, category: 'victim_of_trafficking' } })),
    ...Array.from({ length: 20 }, () =>
      movementRecorded({ provider: 'PK', occurredOn: '2026-03-10', data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', category: 'returnee', direction: 'exit' } }),
    ),
  ];
  const irGrant = agreementGranted('IR', {
    recipient: 'secretariat',
    dimensions: ['route', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
  });
  const pkGrant = agreementGranted('PK', { recipient: '*', dimensions: ['route', 'category'], minTimeGranularity: 'week', minCellSize: 3 });

  beforeAll(async () => {
    url = await freshTestDatabase('flows_policy');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    movements = new RegionalIngest(pool, 'g', trusted);
    agreements = new AgreementIngest(pool, 'g', trusted);
    handler = new QueryFlowsHandler(pool, new PgAgreementRegistry(pool), new AggregatorConfig());
    await movements.ingest(seed.map(msg));
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('shows nothing of a provider that granted nothing, not even that it has data', async () => {
    const answer = await ask('secretariat');
    expect(answer.rows).toEqual([]);
    expect(answer.totals.count).toBe(0);
    expect(answer.disclosure.agreements).toEqual([]);
    expect(answer.disclosure.leftOut).toEqual([]);
  });

  it('cuts each provider to its grant: scope, k with complementary suppression, coarsest granularity', async () => {
    await agreements.ingest([msg(irGrant), msg(pkGrant)]);
    const answer = await ask('secretariat', { granularity: 'day' });
    // IR requires months: the whole answer is monthly. Victims of trafficking are outside IR's scope.
    expect(answer.granularity).toBe('month');
    expect(cells(answer)).toEqual({
      '2026-03 AF>IR>TR asylum_seeker': 'small_cell', // 3 < 5
      '2026-03 AF>IR>TR refugee': 'complementary', // the smallest other cell of the period
      '2026-03 PK>PK>AF returnee': 20,
    });
    expect(answer.totals).toMatchObject({ count: 35, byPeriod: [{ period: '2026-03', count: 35 }] });
    expect(answer.disclosure.agreements.map((a) => [a.provider, a.agreement])).toEqual([
      ['IR', irGrant.data.agreementId],
      ['PK', pkGrant.data.agreementId],
    ]);
    expect(answer.disclosure.coarsened[0]).toMatch(/raised from day to month/);
  });

  it('gives an organisation only what a grant to anyone allows, and leaves out what a grant forbids, saying why', async () => {
    const org = await ask('org:UNHCR', { granularity: 'week' });
    expect(org.disclosure.agreements.map((a) => a.provider)).toEqual(['PK']);
    expect(org.rows.every((r) => r.route === 'PK>PK>AF')).toBe(true);
    const bySex = await ask('secretariat', { groupBy: ['route', 'sex'] });
    expect(bySex.rows).toEqual([]);
    expect(bySex.disclosure.leftOut.map((l) => [l.provider, l.reason])).toEqual([
      ['IR', 'the agreement does not allow sex'],
      ['PK', 'the agreement does not allow sex'],
    ]);
  });

  it('widens a one-day window to whole periods, so it cannot stand in for a finer granularity', async () => {
    const answer = await ask('secretariat', { from: '2026-03-05', to: '2026-03-05', granularity: 'day', groupBy: ['category'] });
    expect([answer.from, answer.to, answer.granularity]).toEqual(['2026-03-01', '2026-03-31', 'month']);
  });

  it('lets a state see its own data in full, including what it withholds from others', async () => {
    const own = await ask('state:IR', { granularity: 'day', groupBy: ['category'], providers: ['IR'] });
    expect(own.disclosure.agreements).toEqual([expect.objectContaining({ provider: 'IR', agreement: 'own-data', minCellSize: 1 })]);
    expect(own.rows.filter((r) => r.category === 'victim_of_trafficking').map((r) => r.count)).toEqual([2]);
  });

  it('applies an amendment and a revocation on the very next query', async () => {
    await agreements.ingest([msg(agreementAmended(irGrant, { minCellSize: 2 }))]);
    expect(cells(await ask('secretariat'))['2026-03 AF>IR>TR asylum_seeker']).toBe(3);
    await agreements.ingest([msg(agreementRevoked(irGrant, 3))]);
    const after = await ask('secretariat');
    expect(after.disclosure.agreements.map((a) => a.provider)).toEqual(['PK']);
    expect(after.rows.map((r) => r.route)).toEqual(['PK>PK>AF']);
  });

  it('stops applying an expired grant at validUntil without anyone acting', async () => {
    await agreements.ingest([msg(agreementGranted('IR', { recipient: 'state:KZ', validFrom: '2020-01-01', validUntil: '2021-12-31' }))]);
    const answer = await ask('state:KZ');
    // KZ sees its own data (it has none here) and PK's grant to anyone; IR's grant has expired.
    expect(answer.disclosure.agreements.map((a) => [a.provider, a.agreement])).toEqual([
      ['KZ', 'own-data'],
      ['PK', pkGrant.data.agreementId],
    ]);
    expect(answer.rows.map((r) => r.route)).toEqual(['PK>PK>AF']);
  });

  it('answers a repeated question alike, and the next answer after a new movement, a retraction or a rebuild shows it', async () => {
    const q = { granularity: 'week' as const, groupBy: ['route' as const] }; // UNHCR sees PK's data only
    const pkCount = async () => (await ask('org:UNHCR', q)).totals.count;
    expect(await pkCount()).toBe(20);
    expect(await ask('org:UNHCR', q)).toEqual(await ask('org:UNHCR', q));
    const extra = movementRecorded({ provider: 'PK', occurredOn: '2026-03-11', data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', category: 'returnee', direction: 'exit' } });
    await movements.ingest([msg(extra)]);
    expect(await pkCount()).toBe(21);
    await movements.ingest([msg(movementRetracted(extra))]);
    expect(await pkCount()).toBe(20);
    // A movement put in the log behind the projection's back (as a rebuild would find it): the
    // answer follows the projection, so it changes with the rebuild, not before.
    await pool.query(
      `INSERT INTO regional_events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset)
       SELECT gen_random_uuid(), type, schema_version, provider, stream_id || '-copy', stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset
         FROM regional_events WHERE provider = 'PK' AND type = 'MovementRecorded' LIMIT 1`,
    );
    expect(await pkCount()).toBe(20);
    await rebuildFlows(pool);
    expect(await pkCount()).toBe(21);
  });
});
