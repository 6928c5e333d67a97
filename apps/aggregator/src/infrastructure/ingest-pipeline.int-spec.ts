import { MovementEvent, parseMovementEvent, ParseResult } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase, movementRecorded, signed, testSigningKeys } from '@caravanserai/testing';
import { Pool, PoolClient } from 'pg';
import type { IncomingMessage } from './batch-ingest.port';
import { Checked, IngestPipeline, IngestTopic, Taken } from './ingest-pipeline';
import { PoolingRelease } from './pooling-release';

/**
 * The pipeline's own promises, with a topic made up for the test (real movement envelopes, signed,
 * on the real PostgreSQL): a topic decided one at a time sees what the event before it projected;
 * an event the log already holds is a duplicate whatever the topic's rules now say of it;
 * provider data of an unpooled provider is logged but not projected, and the pooling release
 * runs every registered projection once.
 */
describe('IngestPipeline (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let offset = 0;

  /** Keys an event by provider and day; refuses one whose key the projection (`pipeline_probe`) already has, and anything in `refuse`. */
  class ProbeTopic implements IngestTopic<MovementEvent, null> {
    readonly refuse = new Set<string>();
    constructor(
      readonly oneAtATime: boolean,
      readonly providerData: boolean,
    ) {}
    parse(raw: Buffer | null): ParseResult<MovementEvent> {
      return parseMovementEvent(raw);
    }
    async check(client: PoolClient, events: MovementEvent[]): Promise<Checked<null>> {
      const { rows } = await client.query<{ probe_key: string }>('SELECT probe_key FROM pipeline_probe WHERE probe_key = ANY($1::text[])', [events.map(keyOf)]);
      const projected = new Set(rows.map((r) => r.probe_key));
      return {
        refusals: events.map((e) => (this.refuse.has(e.eventId) ? 'refused by the probe' : projected.has(keyOf(e)) ? `${keyOf(e)} already projected` : null)),
        plan: null,
      };
    }
    async project(client: PoolClient, taken: Taken<MovementEvent>[]): Promise<void> {
      for (const { event } of taken) await client.query('INSERT INTO pipeline_probe (probe_key, event_id) VALUES ($1, $2)', [keyOf(event), event.eventId]);
    }
  }

  const message = (value: unknown): IncomingMessage => ({
    topic: 'probe.v1',
    partition: 0,
    offset: String(offset++),
    key: null,
    value: Buffer.from(JSON.stringify(signed(value))),
  });
  const keyOf = (e: MovementEvent) => `${e.provider}:${e.occurredOn}`;
  /** Two movements of `provider` on `day`: the same probe key. */
  const twoOnOneKey = (provider: string, day: string, borderCrossingPoint = 'IR-DOGHAROUN') =>
    [1, 2].map(() => movementRecorded({ provider, occurredOn: day, data: { borderCrossingPoint } }));
  const pipeline = (topic: ProbeTopic) => new IngestPipeline(topic, pool, 'probe-group', testSigningKeys().registry());
  const probed = async (key: string) => Number((await pool.query('SELECT count(*) AS n FROM pipeline_probe WHERE probe_key = $1', [key])).rows[0].n);

  beforeAll(async () => {
    url = await freshTestDatabase('ingest_pipeline');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 2 });
    await pool.query('CREATE TABLE pipeline_probe (probe_key text NOT NULL, event_id uuid PRIMARY KEY)');
    await pool.query(`UPDATE provider_pool SET pooled_at = now() WHERE provider = 'IR'`);
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('decides a one-at-a-time topic on what the event before it left; a batch topic checks the batch together', async () => {
    const [first, second] = twoOnOneKey('IR', '2026-01-01');
    expect(await pipeline(new ProbeTopic(true, false)).ingest([message(first), message(second)])).toEqual({
      received: 2,
      applied: 1,
      duplicates: 0,
      quarantined: 1,
    });
    const { rows } = await pool.query('SELECT reason FROM quarantine WHERE topic = $1 ORDER BY id', ['probe.v1']);
    expect(rows.map((r) => r.reason)).toEqual([`${keyOf(first)} already projected`]);
    expect(await probed(keyOf(first))).toBe(1);

    const batch = twoOnOneKey('IR', '2026-01-02');
    expect(await pipeline(new ProbeTopic(false, false)).ingest(batch.map(message))).toEqual({ received: 2, applied: 2, duplicates: 0, quarantined: 0 });
    expect(await probed(keyOf(batch[0]))).toBe(2);
  });

  it('counts an event the log holds as a duplicate, whatever the rules now say of it', async () => {
    const topic = new ProbeTopic(false, false);
    const event = movementRecorded();
    expect(await pipeline(topic).ingest([message(event)])).toMatchObject({ applied: 1, quarantined: 0 });
    topic.refuse.add(event.eventId);
    expect(await pipeline(topic).ingest([message(event)])).toEqual({ received: 1, applied: 0, duplicates: 1, quarantined: 0 });
    // Not in the log: the same refusal quarantines.
    const other = movementRecorded();
    topic.refuse.add(other.eventId);
    expect(await pipeline(topic).ingest([message(other)])).toEqual({ received: 1, applied: 0, duplicates: 0, quarantined: 1 });
  });

  it("logs an unpooled provider's data without projecting it; its pooling runs each registered projection once", async () => {
    const events = twoOnOneKey('TR', '2026-01-03', 'TR-GURBULAK');
    expect(await pipeline(new ProbeTopic(false, true)).ingest(events.map(message))).toMatchObject({ applied: 2, quarantined: 0 });
    expect(await probed(keyOf(events[0]))).toBe(0);
    const { rows: logged } = await pool.query('SELECT count(*)::int AS n FROM regional_events WHERE event_id = ANY($1::uuid[])', [
      events.map((e) => e.eventId),
    ]);
    expect(logged[0].n).toBe(2);

    const pooling = new PoolingRelease();
    const released: string[] = [];
    pooling.register('first', async (_client, provider) => (released.push(`first:${provider}`), { events: 2 }));
    pooling.register('second', async (_client, provider) => (released.push(`second:${provider}`), { events: 0 }));
    for (let i = 0; i < 2; i += 1) {
      const client = await pool.connect();
      try {
        await pooling.pool(client, 'TR');
      } finally {
        client.release();
      }
    }
    expect(released).toEqual(['first:TR', 'second:TR']);
  });
});
