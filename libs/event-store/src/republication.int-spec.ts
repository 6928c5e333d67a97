import { EventEnvelope } from '@caravanserai/contracts';
import { inTransaction, locateMigrations, migrate } from '@caravanserai/database';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import { dropTestDatabase, freshTestDatabase, TEST_KAFKA_BROKERS, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Consumer, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { OutboxForwarder } from './outbox-forwarder';
import { PgEventStore } from './pg-event-store';
import { queueRepublication } from './republication';

/** Republication on the real PostgreSQL and broker: every stored event published again, in
 * stream order, byte for byte as it was first published. */
describe('queueRepublication (PostgreSQL + Kafka)', () => {
  let url: string;
  let pool: Pool;
  let kafka: Kafka;
  let consumer: Consumer;
  const suffix = uniqueSuffix();
  const topics = { movements: `test-repub-${suffix}.movements`, agreements: `test-repub-${suffix}.agreements` };
  const routes = [
    { streamPrefix: 'movement-', topic: topics.movements },
    { streamPrefix: 'agreement-', topic: topics.agreements },
  ];
  const received: { topic: string; key: string; value: string; partition: number }[] = [];

  const event = (streamId: string, streamVersion: number): EventEnvelope => ({
    eventId: uuidv7(),
    type: 'TestHappened',
    schemaVersion: 1,
    provider: 'IR',
    streamId,
    streamVersion,
    occurredOn: '2026-03-02',
    recordedAt: new Date().toISOString(),
    data: { n: streamVersion, text: 'ünïcode ✓' },
  });

  beforeAll(async () => {
    url = await freshTestDatabase('republication');
    await migrate(url, locateMigrations('national-node'));
    pool = new Pool({ connectionString: url, max: 4 });
    kafka = createKafka('test-republication', TEST_KAFKA_BROKERS);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: topics.movements, numPartitions: 3 },
      { topic: topics.agreements, numPartitions: 1 },
    ]);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `test-repub-${suffix}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(topics), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message, partition }) => {
        received.push({ topic, key: message.key!.toString(), value: message.value!.toString('utf8'), partition });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('publishes every stored event again, in stream order, byte for byte as first published, while appends go on', async () => {
    const store = new PgEventStore(pool, testSigningKeys().signer('IR'));
    const movements = Array.from({ length: 12 }, () => `movement-${uuidv7()}`);
    const agreement = `agreement-${uuidv7()}`;
    await inTransaction(pool, (c) =>
      store.append(
        c,
        movements.map((s) => event(s, 1)),
        topics.movements,
      ),
    );
    await inTransaction(pool, (c) =>
      store.append(
        c,
        movements.slice(0, 6).map((s) => event(s, 2)),
        topics.movements,
      ),
    );
    await inTransaction(pool, (c) => store.append(c, [event(agreement, 1)], topics.agreements));
    await inTransaction(pool, (c) => store.append(c, [event(agreement, 2)], topics.agreements));
    // A row of a stream no route takes (none in production) is counted but not queued.
    await inTransaction(pool, (c) => store.append(c, [event(`other-${uuidv7()}`, 1)], topics.movements));
    const stored = 12 + 6 + 2 + 1;

    const forwarder = new OutboxForwarder(pool, kafka, { batchSize: 5, idleMs: 50 });
    forwarder.start();
    try {
      await waitFor(() => received.length >= stored, { what: 'the first publication' });
      const first = received.splice(0);

      // Ingest goes on during the republication: this append waits for the copy's lock, then lands.
      const [republished, appended] = await Promise.all([queueRepublication(pool, routes), store.appendAlone(event(movements[11], 2), topics.movements)]);
      expect(appended).toBe(true);
      expect(republished.queued === 20 || republished.queued === 21).toBe(true);
      expect(republished.events).toBe(republished.queued + 1);
      expect(republished.byTopic[topics.agreements]).toBe(2);
      const expected = republished.queued + 1; // the copies and the new event itself
      await waitFor(() => received.length >= expected, { what: 'the republication' });
      await waitFor(async () => (await forwarder.backlog()) === 0, { what: 'an empty outbox' });
      const again = received.splice(0);

      // Byte for byte: each first publication of an event comes back as the very same string, same key, same partition.
      const firstById = new Map(first.map((m) => [JSON.parse(m.value).eventId as string, m]));
      for (const [id, original] of firstById) {
        if (JSON.parse(original.value).streamId.startsWith('other-')) continue;
        const copy = again.find((m) => JSON.parse(m.value).eventId === id);
        expect(copy).toEqual(original);
      }
      // In stream order: within each stream's partition the copies come out by version.
      for (const stream of [...movements.slice(0, 6), agreement]) {
        const versions = again.filter((m) => m.key === stream).map((m) => JSON.parse(m.value).streamVersion);
        expect(versions).toEqual([1, 2]);
      }
      // Still signed as stored: every copy verifies.
      const registry = testSigningKeys().registry();
      expect(again.every((m) => registry.verify(JSON.parse(m.value)).ok)).toBe(true);
    } finally {
      await forwarder.stop();
    }
  });
});
