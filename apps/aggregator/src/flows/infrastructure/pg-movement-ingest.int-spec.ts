import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementGranted, dropTestDatabase, signed, testSigningKeys, freshTestDatabase, movementRecorded, movementRetracted } from '@caravanserai/testing';
import type { AgreementIngest } from '../../agreements/infrastructure/pg-agreement-ingest';
import { regionalIngests } from '../../regional-ingests';
import { Pool } from 'pg';
import { rebuildFlows } from './pg-flow-rebuild';
import type { IncomingMessage } from '../../infrastructure/batch-ingest.port';
import type { MovementIngest } from './pg-movement-ingest';

const trusted = testSigningKeys().registry();

/** The aggregator's batch transaction on the real PostgreSQL. */
describe('MovementIngest (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let ingest: MovementIngest;
  let agreements: AgreementIngest;
  let offset = 0;

  const message = (value: unknown, partition = 0): IncomingMessage => ({
    topic: 'movements.v1',
    partition,
    offset: String(offset++),
    key: null,
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(signed(value))),
  });
  const flows = async () =>
    (
      await pool.query(
        `SELECT day::text, provider, border_crossing_point, category, sex, count::int FROM flow_counts WHERE count <> 0
          ORDER BY 1, 2, 3, 4, 5`,
      )
    ).rows;
  const total = async () => Number((await pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts')).rows[0].n);

  beforeAll(async () => {
    url = await freshTestDatabase('ingest');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    ({ movements: ingest, agreements } = regionalIngests(pool, 'test-group', trusted));
    // These tests are about the projection; pooling (held until a first grant) is tested below.
    await pool.query(`UPDATE provider_pool SET pooled_at = now() WHERE provider IN ('IR', 'PK')`);
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('projects a batch, and the same batch again changes nothing', async () => {
    const events = [
      movementRecorded(),
      movementRecorded(),
      movementRecorded({ data: { sex: 'female' } }),
      movementRecorded({ provider: 'PK', occurredOn: '2026-03-03', data: { borderCrossingPoint: 'PK-TORKHAM', category: 'returnee' } }),
    ];
    const batch = events.map((e) => message(e));
    expect(await ingest.ingest(batch)).toEqual({ received: 4, applied: 4, duplicates: 0, quarantined: 0 });
    const after = await flows();
    expect(after).toEqual([
      { day: '2026-03-02', provider: 'IR', border_crossing_point: 'IR-DOGHAROUN', category: 'irregular_migrant', sex: 'female', count: 1 },
      { day: '2026-03-02', provider: 'IR', border_crossing_point: 'IR-DOGHAROUN', category: 'irregular_migrant', sex: 'male', count: 2 },
      { day: '2026-03-03', provider: 'PK', border_crossing_point: 'PK-TORKHAM', category: 'returnee', sex: 'male', count: 1 },
    ]);

    expect(await ingest.ingest(batch)).toEqual({ received: 4, applied: 0, duplicates: 4, quarantined: 0 });
    expect(await flows()).toEqual(after);
    const { rows } = await pool.query('SELECT next_offset::int FROM consumer_offsets WHERE consumer_group = $1', ['test-group']);
    expect(rows).toEqual([{ next_offset: offset }]);
  });

  it('takes a retraction back out, whether its movement is in the same batch or an earlier one', async () => {
    const before = await total();
    const early = movementRecorded({ data: { category: 'refugee' } });
    await ingest.ingest([message(early)]);
    const late = movementRecorded({ data: { category: 'refugee' } });
    const result = await ingest.ingest([message(late), message(movementRetracted(late)), message(movementRetracted(early))]);
    expect(result).toMatchObject({ applied: 3, quarantined: 0 });
    expect(await total()).toBe(before);
  });

  it('quarantines what is not a valid event, with the reason, and lets the rest of the batch through', async () => {
    const before = await total();
    const good = movementRecorded();
    const taken = movementRecorded();
    const secondRetraction = { ...movementRetracted(taken), eventId: movementRecorded().eventId };
    const batch = [
      message('this is not JSON'),
      message({ ...movementRecorded(), type: 'Teleported' }),
      message({ ...movementRecorded(), data: { category: 'tourist' } }),
      message(null),
      message(good),
      message(taken),
      message(movementRetracted(movementRecorded())), // its movement was never received
      message(movementRetracted(taken)),
      message(secondRetraction), // the same stream position, another event id
    ];
    const result = await ingest.ingest(batch);
    expect(result).toEqual({ received: 9, applied: 3, duplicates: 0, quarantined: 6 });
    expect(await total()).toBe(before + 1);
    const reasons = (await pool.query('SELECT reason FROM quarantine ORDER BY id')).rows.map((r) => r.reason);
    // The same batch again (a redelivery after a crash) quarantines nothing twice.
    await ingest.ingest(batch);
    expect((await pool.query('SELECT count(*)::int AS n FROM quarantine')).rows[0].n).toBe(reasons.length);
    expect(reasons).toEqual([
      expect.stringMatching(/^not JSON/),
      'unknown event type: "Teleported"',
      expect.stringMatching(/data\.category/),
      'empty message (null value)',
      expect.stringMatching(/^retraction of unknown movement/),
      expect.stringMatching(/^stream position movement-.*@2 is taken by another event/),
    ]);
  });

  it("holds a provider's events until its first grant, then projects them, retractions included", async () => {
    const before = await total();
    const kept = movementRecorded({ provider: 'TR', data: { borderCrossingPoint: 'TR-GURBULAK', departedFrom: 'IR', intendedDestination: 'DE' } });
    const withdrawn = movementRecorded({ provider: 'TR', data: { borderCrossingPoint: 'TR-GURBULAK' } });
    expect(await ingest.ingest([message(kept), message(withdrawn), message(movementRetracted(withdrawn))])).toMatchObject({ applied: 3, quarantined: 0 });
    expect(await total()).toBe(before);

    const grant = message(agreementGranted('TR'));
    expect(await agreements.ingest([grant])).toMatchObject({ applied: 1, quarantined: 0 });
    expect(await total()).toBe(before + 1);
    const later = movementRecorded({ provider: 'TR', data: { borderCrossingPoint: 'TR-GURBULAK' } });
    await ingest.ingest([message(later)]);
    expect(await total()).toBe(before + 2);
    // The same grant again releases nothing twice.
    expect(await agreements.ingest([grant])).toMatchObject({ applied: 0, duplicates: 1 });
    expect(await total()).toBe(before + 2);
  });

  it('rebuilds from the regional log exactly the projection the live path built', async () => {
    const live = await flows();
    expect(live.length).toBeGreaterThan(0);
    const done = await rebuildFlows(pool, () => undefined, 3);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM regional_events WHERE type LIKE 'Movement%'`);
    expect(done.events).toBe(rows[0].n);
    expect(await flows()).toEqual(live);
  });
});
