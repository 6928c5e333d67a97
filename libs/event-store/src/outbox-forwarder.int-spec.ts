import { EventEnvelope } from '@caravanserai/contracts';
import { inTransaction, locateMigrations, migrate } from '@caravanserai/database';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import { dropTestDatabase, freshTestDatabase, TEST_KAFKA_BROKERS, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { OutboxForwarder } from './outbox-forwarder';
import { ConcurrencyError, PgEventStore } from './pg-event-store';

/** The node's event store and outbox on the real PostgreSQL, published to the real broker. */
describe('PgEventStore and OutboxForwarder (PostgreSQL + Kafka)', () => {
  let url: string;
  let pool: Pool;
  let kafka: Kafka;
  let consumer: Consumer;
  const topic = `test-outbox-${uniqueSuffix()}`;
  const received: { key: string; value: EventEnvelope; partition: number }[] = [];

  const event = (streamId: string, streamVersion: number, data: object = { n: streamVersion }): EventEnvelope => ({
    eventId: uuidv7(),
    type: 'TestHappened',
    schemaVersion: 1,
    provider: 'IR',
    streamId,
    streamVersion,
    occurredOn: '2026-03-02',
    recordedAt: new Date().toISOString(),
    data,
  });

  beforeAll(async () => {
    url = await freshTestDatabase('outbox');
    await migrate(url, locateMigrations('national-node'));
    pool = new Pool({ connectionString: url, max: 4 });
    kafka = createKafka('test-outbox', TEST_KAFKA_BROKERS);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        received.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()), partition });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('publishes every appended event once, keyed by stream, in stream order, and empties the outbox', async () => {
    const store = new PgEventStore(pool, testSigningKeys().signer('IR'));
    const streams = Array.from({ length: 20 }, (_, i) => `test-${uniqueSuffix()}-${i}`);
    const first = streams.map((s) => event(s, 1));
    const second = streams.map((s) => event(s, 2));
    await inTransaction(pool, (c) => store.append(c, first, topic));
    await inTransaction(pool, (c) => store.append(c, second, topic));

    const forwarder = new OutboxForwarder(pool, kafka, { batchSize: 7, idleMs: 50 });
    forwarder.start();
    try {
      await waitFor(() => received.length >= 40, { what: '40 messages on the topic' });
      await waitFor(async () => (await forwarder.backlog()) === 0, { what: 'an empty outbox' });
    } finally {
      await forwarder.stop();
    }

    expect(received.map((r) => r.value.eventId).sort()).toEqual([...first, ...second].map((e) => e.eventId).sort());
    for (const s of streams) {
      const ofStream = received.filter((r) => r.key === s);
      expect(ofStream.map((r) => r.value.streamVersion)).toEqual([1, 2]);
      expect(new Set(ofStream.map((r) => r.partition)).size).toBe(1);
    }
    expect(received[0].value).toEqual(expect.objectContaining({ type: 'TestHappened', provider: 'IR', occurredOn: '2026-03-02', keyId: 'ir-test' }));
    // Signed at append and published as stored: each message verifies as it arrived.
    const registry = testSigningKeys().registry();
    expect(received.map((r) => registry.verify(r.value))).toEqual(received.map(() => ({ ok: true, keyId: 'ir-test' })));
  });

  it('with batch signatures on the topic: one root per append, each event published at version 2 with its proof, verifying alone', async () => {
    const batchTopic = `${topic}-batch`;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: batchTopic, numPartitions: 3 }]);
    await admin.disconnect();
    const store = new PgEventStore(pool, testSigningKeys().signer('IR'), new Set([batchTopic]));
    const appends = [Array.from({ length: 13 }, () => event(`test-${uniqueSuffix()}`, 1)), [event(`test-${uniqueSuffix()}`, 1)]];
    for (const a of appends) await inTransaction(pool, (c) => store.append(c, a, batchTopic));
    // Another topic of the same store is still signed one by one.
    await inTransaction(pool, (c) => store.append(c, [event(`test-${uniqueSuffix()}`, 1)], topic));

    const reader = kafka.consumer({ groupId: `${batchTopic}-reader` });
    const got: EventEnvelope[] = [];
    await reader.connect();
    await reader.subscribe({ topic: batchTopic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void got.push(JSON.parse(message.value!.toString())) });
    const forwarder = new OutboxForwarder(pool, kafka, { batchSize: 5, idleMs: 50 });
    forwarder.start();
    try {
      await waitFor(() => got.length >= 14, { what: '14 messages on the batch-signed topic' });
      await waitFor(async () => (await forwarder.backlog()) === 0, { what: 'an empty outbox' });
    } finally {
      await forwarder.stop();
      await reader.disconnect();
    }
    expect(got.every((e) => e.schemaVersion === 2 && e.signature === undefined && e.keyId === 'ir-test')).toBe(true);
    expect(new Set(got.map((e) => e.batch!.root)).size).toBe(2);
    expect(got.map((e) => e.batch!.size).sort((a, b) => a - b)).toEqual([1, ...Array(13).fill(13)]);
    const registry = testSigningKeys().registry();
    expect(got.map((e) => registry.verify(e))).toEqual(got.map(() => ({ ok: true, keyId: 'ir-test' })));
    const other = (await pool.query(`SELECT schema_version, signature, proof FROM events ORDER BY global_position DESC LIMIT 1`)).rows[0];
    expect(other).toEqual({ schema_version: 1, signature: expect.stringMatching(/^[\w-]{86}$/), proof: null });
  });

  it('refuses a second event at a taken stream position with a ConcurrencyError, and writes nothing', async () => {
    const store = new PgEventStore(pool, testSigningKeys().signer('IR'));
    const stream = `test-${uniqueSuffix()}`;
    await inTransaction(pool, (c) => store.append(c, [event(stream, 1)], topic));
    const before = await pool.query('SELECT count(*)::int AS n FROM outbox');
    await expect(inTransaction(pool, (c) => store.append(c, [event(stream, 1)], topic))).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream(stream)).map((e) => e.streamVersion)).toEqual([1]);
    expect((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(before.rows[0].n);
  });

  it('keeps the rows while the broker cannot be reached, and reports the error', async () => {
    const unreachable = new Kafka({
      clientId: 'test-unreachable',
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 300,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const store = new PgEventStore(pool, testSigningKeys().signer('IR'));
    const forwarder = new OutboxForwarder(pool, unreachable, { batchSize: 10, idleMs: 50 });
    await inTransaction(pool, (c) => store.append(c, [event(`test-${uniqueSuffix()}`, 1)], topic));
    const backlog = await forwarder.backlog();
    await expect(forwarder.forwardOnce()).rejects.toThrow();
    expect(await forwarder.backlog()).toBe(backlog);
    await forwarder.stop();
  });
});
