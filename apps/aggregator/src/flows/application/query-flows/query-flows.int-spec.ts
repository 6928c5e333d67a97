import { locateMigrations, migrate } from '@caravanserai/database';
import {
  agreementAmended,
  agreementGranted,
  agreementRevoked,
  dropTestDatabase,
  freshTestDatabase,
  movementRecorded,
  movementRetracted,
  testSigningKeys,
} from '@caravanserai/testing';
import { Pool } from 'pg';
import { AggregatorConfig } from '../../../config/aggregator.config';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import type { AgreementIngest } from '../../../agreements/infrastructure/pg-agreement-ingest';
import { regionalIngests } from '../../../regional-ingests';
import { FlowQuery } from '../../../answers/flow-answer';
import { PgFlowReader } from '../../infrastructure/pg-flow-reader';
import type { MovementIngest } from '../../infrastructure/pg-movement-ingest';
import { addKeys, perturb, recordKey } from '../../../disclosure/domain/cell-key';
import { cutRelease } from '../../../releases/infrastructure/pg-releases';
import { rebuildFlows } from '../../infrastructure/pg-flow-rebuild';
import { QueryFlowsHandler } from './query-flows.handler';
import { QueryFlows } from '../../../kernel/messages/query-flows.query';
import { signedMessages } from '../../../testing/signed-messages';

const trusted = testSigningKeys().registry();

/** Flows as each caller may see them, on the real PostgreSQL, from releases, with agreements and
 * the cell-key method (each published figure checked against the same method worked out here). */
describe('QueryFlowsHandler with agreements (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let handler: QueryFlowsHandler;
  let movements: MovementIngest;
  let agreements: AgreementIngest;
  const { msg } = signedMessages();
  const ask = (principal: string, q: Partial<FlowQuery> = {}) =>
    handler.execute(new QueryFlows({ from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy: ['route', 'category'], ...q }, principal));
  const cells = (answer: Awaited<ReturnType<typeof ask>>) =>
    Object.fromEntries(answer.rows.map((r) => [`${r.period} ${r.route ?? ''} ${r.category ?? ''}`.trim(), r.count]));
  const release = (dataUntil = '2026-03-31') => cutRelease(pool, { dataUntil, by: 'test', reason: null });
  /** What the method publishes for these movements of one provider with this k, worked out here. */
  let secret: Buffer;
  const published = (records: { eventId: string }[], k: number) =>
    perturb(records.length, records.map((r) => recordKey(secret, r.eventId)).reduce(addKeys, 0), k);

  // IR: 12 refugees and 3 asylum seekers on AF>IR>TR, 2 victims of trafficking. PK: 20 returnees.
  const irRoute = { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR' } as const;
  const seed = [
    ...Array.from({ length: 12 }, (_, i) =>
      movementRecorded({ provider: 'IR', occurredOn: `2026-03-${String(1 + (i % 20)).padStart(2, '0')}`, data: { ...irRoute, category: 'refugee' } }),
    ),
    ...Array.from({ length: 3 }, () => movementRecorded({ provider: 'IR', occurredOn: '2026-03-05', data: { ...irRoute, category: 'asylum_seeker' } })),
    ...Array.from({ length: 2 }, () => movementRecorded({ provider: 'IR', occurredOn: '2026-03-06', data: { ...irRoute, category: 'victim_of_trafficking' } })),
    ...Array.from({ length: 20 }, () =>
      movementRecorded({
        provider: 'PK',
        occurredOn: '2026-03-10',
        data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', category: 'returnee', direction: 'exit' },
      }),
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
    secret = (await pool.query('SELECT secret FROM cell_key_secret')).rows[0].secret;
    ({ movements, agreements } = regionalIngests(pool, 'g', trusted));
    // No question here is asked under an emergency: no emergencies to read.
    handler = new QueryFlowsHandler(new PgFlowReader(pool), new PgAgreementRegistry(pool), new AggregatorConfig(), null as never, () => new Date());
    await movements.ingest(seed.map(msg));
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  const ir = (category: string) => seed.filter((m) => m.provider === 'IR' && m.data.category === category);
  const pk = seed.filter((m) => m.provider === 'PK');

  it('answers nothing before the first release, and nothing of a provider that granted nothing', async () => {
    const before = await ask('secretariat');
    expect(before.release).toBeNull();
    expect(before.rows).toEqual([]);
    expect(before.disclosure.notes).toEqual(['No release has been cut yet: there are no figures to show.']);
    await release();
    const answer = await ask('secretariat');
    expect(answer.release).toMatchObject({ dataUntil: '2026-03-31' });
    expect(answer.rows).toEqual([]);
    expect(answer.totals.count).toBe(0);
    expect(answer.disclosure.agreements).toEqual([]);
    expect(answer.disclosure.leftOut).toEqual([]);
  });

  it('publishes each protected provider part through the cell-key method: never a count below k as itself', async () => {
    await agreements.ingest([msg(irGrant), msg(pkGrant)]);
    await release();
    const answer = await ask('secretariat', { granularity: 'day' });
    // IR requires months: the whole answer is monthly. Victims of trafficking are outside IR's scope.
    expect(answer.granularity).toBe('month');
    const expected: Record<string, number> = {
      '2026-03 AF>IR>TR asylum_seeker': published(ir('asylum_seeker'), 5), // 3 < 5: 0 (not listed) or 5
      '2026-03 AF>IR>TR refugee': published(ir('refugee'), 5),
      '2026-03 PK>PK>AF returnee': published(pk, 3),
    };
    expect(cells(answer)).toEqual(Object.fromEntries(Object.entries(expected).filter(([, n]) => n !== 0)));
    expect([0, 5]).toContain(expected['2026-03 AF>IR>TR asylum_seeker']);
    expect(Math.abs(expected['2026-03 AF>IR>TR refugee'] - 12)).toBeLessThanOrEqual(3);
    // Totals are figures of their own: each provider's part perturbed with the key of all its records.
    const total = published([...ir('refugee'), ...ir('asylum_seeker')], 5) + published(pk, 3);
    expect(answer.totals).toEqual({ count: total, byPeriod: [{ period: '2026-03', count: total }] });
    expect(answer.disclosure.method).toEqual({
      name: 'cell-key',
      maxNoise: 3,
      exact: [],
      protected: [
        { provider: 'IR', k: 5 },
        { provider: 'PK', k: 3 },
      ],
    });
    expect(answer.disclosure.agreements.map((a) => [a.provider, a.agreement])).toEqual([
      ['IR', irGrant.data.agreementId],
      ['PK', pkGrant.data.agreementId],
    ]);
    expect(answer.disclosure.coarsened[0]).toMatch(/raised from day to month/);
    expect(answer.disclosure.notes.join(' ')).toMatch(/a small figure, a zero or a missing row may have been adjusted/);
  });

  it('gives the same records the same figure whichever question gathers them', async () => {
    const pkRow = (answer: Awaited<ReturnType<typeof ask>>) => answer.rows.filter((r) => r.route === 'PK>PK>AF').map((r) => r.count);
    const byRoute = await ask('secretariat', { groupBy: ['route'] });
    const byRouteCategory = await ask('secretariat', { groupBy: ['route', 'category'] });
    const pkOnly = await ask('org:UNHCR', { groupBy: [] });
    // PK has only returnees on one route: the same 20 records, the same published figure.
    expect(pkRow(byRoute)).toEqual([published(pk, 3)]);
    expect(pkRow(byRouteCategory)).toEqual([published(pk, 3)]);
    expect(pkOnly.totals.count).toBe(published(pk, 3));
    // With no group-by, a period's row is its total: the same figure.
    expect(pkOnly.rows).toEqual([{ period: '2026-03', count: published(pk, 3) }]);
    expect(pkOnly.totals.byPeriod).toEqual([{ period: '2026-03', count: published(pk, 3) }]);
  });

  it('groups by provider as by any other dimension (the dimension and each part share the provider column)', async () => {
    await agreements.ingest([msg(agreementAmended(pkGrant, { dimensions: ['route', 'category', 'provider'] }))]);
    const byProvider = await ask('org:UNHCR', { groupBy: ['provider', 'route'] });
    expect(byProvider.rows).toEqual([{ period: '2026-03', provider: 'PK', route: 'PK>PK>AF', count: published(pk, 3) }]);
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

  it('keeps the finer granularity asked with coarser=exclude, leaving out and naming the coarser state', async () => {
    const weekly = await ask('secretariat', { granularity: 'week', coarser: 'exclude' });
    expect(weekly.granularity).toBe('week');
    expect(weekly.disclosure.agreements.map((a) => a.provider)).toEqual(['PK']);
    expect(weekly.disclosure.leftOut).toEqual([
      { provider: 'IR', agreement: irGrant.data.agreementId, reason: 'the agreement allows month figures at the finest, coarser than the week asked' },
    ]);
    expect(weekly.rows.map((r) => r.period)).toEqual(['2026-W11']);
  });

  it('widens a one-day window to whole periods, and shows only periods that have ended by the release', async () => {
    const answer = await ask('secretariat', { from: '2026-03-05', to: '2026-03-05', granularity: 'day', groupBy: ['category'] });
    expect([answer.from, answer.to, answer.granularity]).toEqual(['2026-03-01', '2026-03-31', 'month']);
    await release('2026-03-31');
    const weekly = await ask('org:UNHCR', { granularity: 'week', from: '2026-03-30', to: '2026-04-05' });
    // The ISO week of 30 March ends on 5 April, after the release's last day: not shown yet.
    expect(weekly.disclosure.agreements[0]).toMatchObject({ provider: 'PK', dataUntil: '2026-03-29' });
  });

  it('lets a state see its own data exactly, including what it withholds from others', async () => {
    const own = await ask('state:IR', { granularity: 'day', groupBy: ['category'], providers: ['IR'] });
    expect(own.disclosure.agreements).toEqual([expect.objectContaining({ provider: 'IR', agreement: 'own-data', minCellSize: 1 })]);
    expect(own.disclosure.method.exact).toEqual(['IR']);
    expect(own.rows.filter((r) => r.category === 'victim_of_trafficking').map((r) => r.count)).toEqual([2]);
    expect(own.totals.count).toBe(17);
  });

  it('applies an amendment and a revocation on the very next query; k = 1 is published exactly', async () => {
    await agreements.ingest([msg(agreementAmended(irGrant, { minCellSize: 1 }))]);
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

  it('answers from the release: new movements, a retraction or a rebuild move nothing until the next release', async () => {
    const q = { granularity: 'week' as const, groupBy: ['route' as const] }; // UNHCR sees PK's data only
    const pkCount = async () => (await ask('org:UNHCR', q)).totals.count;
    const first = await pkCount();
    expect(first).toBe(published(pk, 3));
    expect(await ask('org:UNHCR', q)).toEqual(await ask('org:UNHCR', q));
    const extra = movementRecorded({
      provider: 'PK',
      occurredOn: '2026-03-11',
      data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', category: 'returnee', direction: 'exit' },
    });
    await movements.ingest([msg(extra)]);
    expect(await pkCount()).toBe(first);
    await release();
    expect(await pkCount()).toBe(published([...pk, extra], 3));
    await movements.ingest([msg(movementRetracted(extra))]);
    expect(await pkCount()).toBe(published([...pk, extra], 3));
    await release();
    expect(await pkCount()).toBe(first);
    // A movement put in the log behind the projection's back (as a rebuild would find it): the
    // answer follows the release, so it changes with a rebuild and the release after it.
    const { rows } = await pool.query(
      `INSERT INTO regional_events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset)
       SELECT gen_random_uuid(), type, schema_version, provider, stream_id || '-copy', stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset
         FROM regional_events WHERE provider = 'PK' AND type = 'MovementRecorded' LIMIT 1 RETURNING event_id`,
    );
    await rebuildFlows(pool);
    expect(await pkCount()).toBe(first);
    await release();
    expect(await pkCount()).toBe(published([...pk, { eventId: rows[0].event_id }], 3));
  });
});
