import type { EventEnvelope } from '@caravanserai/contracts';
import { inTransaction, locateMigrations, migrate } from '@caravanserai/database';
import { agreementGranted, dropTestDatabase, freshTestDatabase, movementRecorded } from '@caravanserai/testing';
import { Pool } from 'pg';
import type { IncomingMessage } from './batch-ingest.port';
import { Accepted, insertEvents } from './pg-ingest-support';

/**
 * The regional log's batch insert (COPY into the connection's staging table, then one INSERT …
 * ON CONFLICT DO NOTHING), on the real PostgreSQL: every column as the event has it, text of any
 * kind included; the batch's order; ids already held and stream positions taken left out, within
 * a batch and across batches; the record keys the log's trigger sets; each call on its own rows
 * only, in one transaction or several.
 */
describe('insertEvents (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let offset = 0;

  const accepted = (event: EventEnvelope, topic = 'agreements.v1', partition = 3): Accepted => {
    const message: IncomingMessage = { topic, partition, offset: String(1_000_000_000_000 + offset++), key: null, value: null };
    return { event, message };
  };
  const insert = (batch: Accepted[]) => inTransaction(pool, (client) => insertEvents(client, batch));
  const logged = async (ids: string[]) =>
    (
      await pool.query(
        `SELECT event_id, type, schema_version, provider, stream_id, stream_version, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on,
                recorded_at, data, topic, kafka_partition, kafka_offset, key_id, signature, proof, record_key, record_key(event_id::text) AS expected_key
           FROM regional_events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position`,
        [ids],
      )
    ).rows;

  beforeAll(async () => {
    url = await freshTestDatabase('ingest_support');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('logs every column as the event has it, text with tabs, newlines, backslashes and COPY markers included, in the batch order', async () => {
    const odd = [
      'tab\there',
      'line\nbreak and carriage\rreturn',
      'back\\slash, \\N, \\., \\t and \\\\',
      '\\.',
      '\\N',
      'quote " and \' and , and ; and |',
      'escaped nul as text: \\u0000',
      'unicode: دری پښتو 🙂 \u2028 \u00a0 \uffff',
      '',
    ];
    const grants: EventEnvelope[] = odd.map((purpose) => agreementGranted('IR', { purpose, recipient: `${purpose}\t${purpose}` }));
    // Version 1 (a signature of its own, text of any kind) and version 2 (batch and proof, jsonb).
    grants[0] = { ...grants[0], keyId: 'ir\tkey\\1\n', signature: 'sig\r\n\\.' };
    grants[1] = {
      ...grants[1],
      keyId: 'ir-2026',
      batch: { root: 'r'.repeat(43), size: 2, signature: 's'.repeat(86) },
      proof: { index: 1, path: ['p\\q\t'.repeat(4)] },
    } as EventEnvelope;
    const batch = grants.map((g) => accepted(g));
    const keys = await insert(batch);
    expect([...keys.keys()].sort()).toEqual(grants.map((g) => g.eventId).sort());

    const rows = await logged(grants.map((g) => g.eventId));
    expect(rows.map((r) => r.event_id)).toEqual(grants.map((g) => g.eventId));
    rows.forEach((row, i) => {
      const g = grants[i] as EventEnvelope & { batch?: unknown; proof?: unknown };
      expect(row).toEqual({
        event_id: g.eventId,
        type: g.type,
        schema_version: g.schemaVersion,
        provider: g.provider,
        stream_id: g.streamId,
        stream_version: g.streamVersion,
        occurred_on: g.occurredOn,
        recorded_at: new Date(g.recordedAt),
        data: g.data,
        topic: 'agreements.v1',
        kafka_partition: 3,
        kafka_offset: batch[i].message.offset,
        key_id: g.keyId ?? null,
        signature: g.signature ?? null,
        proof: g.batch ? { batch: g.batch, proof: g.proof } : null,
        record_key: row.expected_key,
        expected_key: row.expected_key,
      });
      expect(keys.get(g.eventId)).toBe(Number(row.expected_key));
    });
    expect(rows.map((r) => r.data.purpose)).toEqual(odd);
  });

  it('leaves out an id already held and a stream position taken, within the batch and across batches', async () => {
    const [a, b, c] = [movementRecorded(), movementRecorded(), movementRecorded()];
    const takesA = { ...movementRecorded(), streamId: a.streamId, streamVersion: a.streamVersion };
    // Within one batch: a twice, and another event at a's stream position after it.
    const first = await insert([accepted(a, 'movements.v1'), accepted(b, 'movements.v1'), accepted(a, 'movements.v1'), accepted(takesA, 'movements.v1')]);
    expect([...first.keys()]).toEqual(expect.arrayContaining([a.eventId, b.eventId]));
    expect(first.size).toBe(2);
    // Across batches: a and b again, a's position claimed again, and one new event.
    const takesB = { ...movementRecorded(), streamId: b.streamId, streamVersion: b.streamVersion };
    const second = await insert([accepted(b, 'movements.v1'), accepted(takesB, 'movements.v1'), accepted(c, 'movements.v1'), accepted(a, 'movements.v1')]);
    expect([...second.keys()]).toEqual([c.eventId]);
    const rows = await logged([a, b, c, takesA, takesB].map((e) => e.eventId));
    expect(rows.map((r) => r.event_id)).toEqual([a.eventId, b.eventId, c.eventId]);
  });

  it('returns only its own batch when called more than once in a transaction, and nothing stays after a rollback', async () => {
    const [a, b, c] = [movementRecorded(), movementRecorded(), movementRecorded()];
    const [first, second, staged] = await inTransaction(pool, async (client) => [
      await insertEvents(client, [accepted(a, 'movements.v1'), accepted(b, 'movements.v1')]),
      await insertEvents(client, [accepted(c, 'movements.v1')]),
      // The connection's staging table holds the last batch only: it does not grow batch after batch.
      (await client.query('SELECT event_id FROM regional_events_batch')).rows.map((r) => r.event_id),
    ]);
    expect([...first.keys()].sort()).toEqual([a.eventId, b.eventId].sort());
    expect([...second.keys()]).toEqual([c.eventId]);
    expect(staged).toEqual([c.eventId]);

    const d = movementRecorded();
    await expect(
      inTransaction(pool, async (client) => {
        await insertEvents(client, [accepted(d, 'movements.v1')]);
        throw new Error('the projection failed');
      }),
    ).rejects.toThrow('the projection failed');
    expect(await logged([d.eventId])).toEqual([]);
    // Each pooled connection (the staging table made in a rolled-back transaction included) takes the next batch.
    const [e, f] = [movementRecorded(), movementRecorded()];
    const both = await Promise.all([insert([accepted(e, 'movements.v1')]), insert([accepted(f, 'movements.v1')])]);
    expect(both.map((m) => [...m.keys()])).toEqual([[e.eventId], [f.eventId]]);
    // And outside a transaction.
    const g = movementRecorded();
    const client = await pool.connect();
    try {
      expect([...(await insertEvents(client, [accepted(g, 'movements.v1')])).keys()]).toEqual([g.eventId]);
    } finally {
      client.release();
    }
  });

  it('refuses the batch whole, as before, when its text holds what PostgreSQL cannot store (NUL)', async () => {
    const inData = agreementGranted('IR', { purpose: 'nul \u0000 inside' });
    const inKeyId = { ...agreementGranted('IR'), keyId: 'ir\u0000key' };
    for (const bad of [inData, inKeyId]) {
      const fine = movementRecorded();
      await expect(insert([accepted(fine, 'movements.v1'), accepted(bad)])).rejects.toThrow();
      expect(await logged([fine.eventId, bad.eventId])).toEqual([]);
    }
    const after = movementRecorded();
    expect([...(await insert([accepted(after, 'movements.v1')])).keys()]).toEqual([after.eventId]);
  });
});
