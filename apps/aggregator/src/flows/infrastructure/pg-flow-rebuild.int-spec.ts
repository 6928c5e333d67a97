import type { MovementEvent } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementGranted, dropTestDatabase, freshTestDatabase, movementRecorded, movementRetracted, signed, testSigningKeys } from '@caravanserai/testing';
import { Pool } from 'pg';
import type { AgreementIngest } from '../../agreements/infrastructure/pg-agreement-ingest';
import { regionalIngests } from '../../regional-ingests';
import type { IncomingMessage } from '../../infrastructure/batch-ingest.port';
import { addKeys, negateKey, recordKey } from '../../disclosure/domain/cell-key';
import { FACT_FIELDS, factOf } from '../domain/flow-deltas';
import type { MovementIngest } from './pg-movement-ingest';
import type { RebuildProgress } from '../../infrastructure/rebuild-progress';
import { rebuildFlows } from './pg-flow-rebuild';

const trusted = testSigningKeys().registry();

/**
 * The set-based replay (rebuild, release of held events) against the projection the live consumer
 * builds event batch by event batch, and both against the projection worked out here from the
 * events with the domain's factOf: row for row, every column.
 */
describe('rebuildFlows / replayMovements (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let movements: MovementIngest;
  let agreements: AgreementIngest;
  let offset = 0;
  /** Every movement event ingested, in order (the oracle's input). */
  const sent: MovementEvent[] = [];
  const pooled = new Set<string>();

  const msg = (value: unknown): IncomingMessage => ({
    topic: 't',
    partition: 0,
    offset: String(offset++),
    key: null,
    value: Buffer.from(JSON.stringify(signed(value))),
  });
  const ingest = async (events: MovementEvent[]) => {
    sent.push(...events);
    expect(await movements.ingest(events.map(msg))).toMatchObject({ applied: events.length, quarantined: 0 });
  };
  const grant = async (provider: string) => {
    expect(await agreements.ingest([msg(agreementGranted(provider))])).toMatchObject({ applied: 1, quarantined: 0 });
    pooled.add(provider);
  };

  /** flow_counts as rows of strings, non-zero cells only (a cell taken back to 0 may stay as a row). */
  const projection = async () =>
    (
      await pool.query<Record<string, string>>(
        `SELECT day::text, provider, border_crossing_point, direction, departed_from, intended_destination, citizenship, category, sex, age_band, count::text, key_sum::text
           FROM flow_counts WHERE count <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
      )
    ).rows.map((r) => Object.values(r).join('|'));
  const providerOf = (row: string) => row.split('|')[1];
  /** The projection the events sent so far should give, worked out in JS: counts, and key sums
   * from the record keys JS derives from the database's secret (so SQL's record_key() must agree). */
  const expected = async () => {
    const secret: Buffer = (await pool.query('SELECT secret FROM cell_key_secret')).rows[0].secret;
    const recorded = new Map(sent.flatMap((e) => (e.type === 'MovementRecorded' ? [[e.eventId, e] as const] : [])));
    const cells = new Map<string, { n: number; key: number }>();
    for (const e of sent) {
      if (!pooled.has(e.provider)) continue;
      const m = e.type === 'MovementRecorded' ? e : recorded.get(e.data.movementEventId)!;
      const fact = factOf(m.provider, m.occurredOn, m.data);
      const key = FACT_FIELDS.map((f) => fact[f]).join('|');
      const cell = cells.get(key) ?? { n: 0, key: 0 };
      const k = recordKey(secret, m.eventId);
      cells.set(key, e.type === 'MovementRecorded' ? { n: cell.n + 1, key: addKeys(cell.key, k) } : { n: cell.n - 1, key: addKeys(cell.key, negateKey(k)) });
    }
    return [...cells.entries()]
      .filter(([, c]) => c.n !== 0)
      .map(([k, c]) => `${k}|${c.n}|${c.key}`)
      .sort();
  };
  const pooledMovementEvents = async () =>
    Number(
      (
        await pool.query(
          `SELECT count(*) AS n FROM regional_events e JOIN provider_pool p ON p.provider = e.provider AND p.pooled_at IS NOT NULL
            WHERE e.type IN ('MovementRecorded', 'MovementRetracted')`,
        )
      ).rows[0].n,
    );

  // IR and PK pooled from the start; TR holds its events until its grant below; KZ never grants.
  const m1 = movementRecorded({ occurredOn: '2026-03-01' });
  const noOrigin = movementRecorded({ occurredOn: '2026-03-01', data: { departedFrom: undefined, category: 'refugee' } });
  const nullDestination = movementRecorded({ occurredOn: '2026-03-02', data: { intendedDestination: null, sex: 'female', ageBand: '0-4' } });
  const pk = movementRecorded({
    provider: 'PK',
    occurredOn: '2026-03-02',
    data: { borderCrossingPoint: 'PK-TORKHAM', direction: 'exit', citizenship: 'PK', departedFrom: 'PK', intendedDestination: 'AF' },
  });
  const trKept = movementRecorded({ provider: 'TR', data: { borderCrossingPoint: 'TR-GURBULAK', departedFrom: undefined, intendedDestination: 'DE' } });
  const trWithdrawn = movementRecorded({ provider: 'TR', data: { borderCrossingPoint: 'TR-GURBULAK' } });
  const kz = movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } });

  beforeAll(async () => {
    url = await freshTestDatabase('rebuild_flows');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    ({ movements, agreements } = regionalIngests(pool, 'g', trusted));
    await grant('IR');
    await grant('PK');

    await ingest([m1, movementRecorded({ occurredOn: '2026-03-01' }), noOrigin, nullDestination, pk, trKept, trWithdrawn, movementRetracted(trWithdrawn), kz]);
    const sameBatch = movementRecorded({ occurredOn: '2026-03-03' });
    await ingest([sameBatch, movementRetracted(sameBatch), movementRetracted(m1)]);
    // Filler, so that the retractions below are far (many chunks) from their movements.
    await ingest(Array.from({ length: 8 }, (_, i) => movementRecorded({ occurredOn: `2026-03-0${1 + (i % 3)}`, data: { sex: i % 2 ? 'female' : 'male' } })));
    await ingest([movementRetracted(noOrigin), movementRetracted(pk), movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } })]);
    // A retraction whose movement is not in the log cannot come through the consumer (it is
    // quarantined); put in behind its back, it is replayed as an event and counts nothing.
    const orphan = movementRetracted(movementRecorded());
    await pool.query(
      `INSERT INTO regional_events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset)
       VALUES ($1, 'MovementRetracted', 1, 'IR', $2, 2, '2026-03-01', now(), $3, 't', 0, $4)`,
      [orphan.eventId, orphan.streamId, JSON.stringify(orphan.data), offset++],
    );
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('the live projection is the one worked out from the events (the reference for the rest)', async () => {
    const live = await projection();
    expect(live).toEqual(await expected());
    // Retracted cells are gone; a missing origin or destination is counted under ZZ.
    expect(live).toContainEqual(expect.stringMatching(/^2026-03-02\|IR\|IR-DOGHAROUN\|entry\|AF\|ZZ\|AF\|irregular_migrant\|female\|0-4\|1\|\d+$/));
    expect(live.some((r) => r.startsWith('2026-03-01|IR|IR-DOGHAROUN|entry|ZZ|'))).toBe(false);
    expect(new Set(live.map(providerOf))).toEqual(new Set(['IR']));
  });

  it.each([1, 4, 1_000_000])('rebuilds exactly the live projection, chunks of %i positions', async (chunk) => {
    const live = await projection();
    const reports: RebuildProgress[] = [];
    const done = await rebuildFlows(pool, (p) => reports.push(p), chunk);

    expect(await projection()).toEqual(live);
    expect(done.events).toBe(await pooledMovementEvents());
    const { rows } = await pool.query('SELECT max(global_position) - min(global_position) + 1 AS span FROM regional_events');
    expect(reports).toHaveLength(Math.ceil(Number(rows[0].span) / chunk));
    expect(reports.at(-1)!.events).toBe(done.events);
    reports.forEach((r, i) => i > 0 && expect(r.events).toBeGreaterThanOrEqual(reports[i - 1].events));
  });

  it("projects a provider's held events on its first grant (replayMovements for one provider), and a rebuild agrees", async () => {
    expect((await projection()).map(providerOf)).not.toContain('TR');
    await grant('TR');
    const released = await projection();
    expect(released).toEqual(await expected());
    expect(released).toContainEqual(expect.stringMatching(/^\d{4}-\d\d-\d\d\|TR\|TR-GURBULAK\|entry\|ZZ\|DE\|AF\|irregular_migrant\|male\|18-59\|1\|\d+$/));
    expect(released.filter((r) => providerOf(r) === 'TR')).toHaveLength(1);
    expect(released.map(providerOf)).not.toContain('KZ');

    await rebuildFlows(pool, () => undefined, 3);
    expect(await projection()).toEqual(released);
  });

  it('a rebuild of an empty log leaves an empty projection', async () => {
    const emptyUrl = await freshTestDatabase('rebuild_flows_empty');
    const empty = new Pool({ connectionString: emptyUrl, max: 1 });
    try {
      await migrate(emptyUrl, locateMigrations('aggregator'));
      await empty.query(`INSERT INTO flow_counts VALUES ('2026-03-01', 'IR', 'IR-DOGHAROUN', 'entry', 'AF', 'TR', 'AF', 'refugee', 'male', '18-59', 7)`);
      expect(await rebuildFlows(empty)).toMatchObject({ events: 0, cells: 0 });
      expect((await empty.query('SELECT count(*)::int AS n FROM flow_counts')).rows[0].n).toBe(0);
    } finally {
      await empty.end();
      await dropTestDatabase(emptyUrl);
    }
  });
});
