import { EventEnvelope, limitVersions, MOVEMENT_SCHEMAS, MovementRecorded, TOPICS, topicName } from '@caravanserai/contracts';
import { inTransaction, locateMigrations, migrate } from '@caravanserai/database';
import { OutboxForwarder, PgEventStore, rowToEnvelope } from '@caravanserai/event-store';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import {
  agreementGranted,
  dropTestDatabase,
  freshTestDatabase,
  movementRecorded,
  movementRetracted,
  TEST_KAFKA_BROKERS,
  testSigningKeys,
  uniqueSuffix,
  waitFor,
} from '@caravanserai/testing';
import { Admin, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import type { BatchIngest } from '../infrastructure/batch-ingest.port';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';
import { awaitingCounts, replayAwaiting } from '../infrastructure/pg-awaiting-upgrade';

/**
 * A region upgraded one state at a time, on the real broker and PostgreSQL: AF's node publishes
 * version 2 (batch signatures), IR's version 1, to an aggregator that reads version 1 only
 * (AGGREGATOR_MAX_SCHEMA_VERSION=1). AF then goes back to version 1 and retracts one of its
 * version 2 movements: the retraction must wait behind it. The aggregator is restarted reading
 * version 2; it takes in what waited at start, and the counts end exactly those of the input.
 */
describe('a region of mixed event versions (Kafka + PostgreSQL)', () => {
  const prefix = `test-mixed-${uniqueSuffix()}.`;
  const group = `${prefix}group`;
  const topics = { movements: topicName(TOPICS.movements, prefix), agreements: topicName(TOPICS.agreements, prefix) };
  const keys = testSigningKeys();
  let aggregatorUrl: string;
  const nodeUrls: string[] = [];
  let pool: Pool;
  let kafka: Kafka;
  let admin: Admin;
  const nodes: { pool: Pool; v1: PgEventStore; v2: PgEventStore; forwarder: OutboxForwarder }[] = [];
  let consumer: KafkaRegionalConsumer | null = null;

  /** A node of `state` with its own database, its store signing one by one (v1) or by batch (v2). */
  const startNode = async (state: string) => {
    const url = await freshTestDatabase(`mixed_${state.toLowerCase()}`);
    nodeUrls.push(url);
    await migrate(url, locateMigrations('national-node'));
    const nodePool = new Pool({ connectionString: url, max: 3 });
    const node = {
      pool: nodePool,
      v1: new PgEventStore(nodePool, keys.signer(state)),
      v2: new PgEventStore(nodePool, keys.signer(state), new Set([topics.movements])),
      forwarder: new OutboxForwarder(nodePool, kafka, { batchSize: 50, idleMs: 50 }),
    };
    node.forwarder.start();
    nodes.push(node);
    return node;
  };
  const append = (store: PgEventStore, pool: Pool, events: EventEnvelope[], topic = topics.movements) =>
    inTransaction(pool, (c) => store.append(c, events, topic));

  const startAggregator = async (maxVersion?: number) => {
    const schemas = maxVersion === undefined ? MOVEMENT_SCHEMAS : limitVersions(MOVEMENT_SCHEMAS, maxVersion);
    const regional = regionalIngests(pool, group, keys.registry(), { movementSchemas: schemas });
    const movements = regional.movements;
    // As IngestModule does at start: what waits first, then the consumer.
    const replayed = await replayAwaiting(pool, topics.movements, movements);
    consumer = new KafkaRegionalConsumer(
      kafka,
      new Map<string, BatchIngest>([
        [topics.movements, movements],
        [topics.agreements, regional.agreements],
      ]),
      { groupId: group, fromBeginning: true, sessionTimeout: 10_000 },
    );
    await consumer.start();
    return replayed;
  };
  const stopAggregator = async () => {
    await consumer?.stop();
    consumer = null;
  };

  /** Until every node's outbox is empty and the aggregator has stored offsets past every message. */
  const caughtUp = async () => {
    for (const n of nodes) await waitFor(async () => (await n.forwarder.backlog()) === 0, { what: 'empty outboxes' });
    for (const topic of Object.values(topics)) {
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor(
        async () => {
          const { rows } = await pool.query('SELECT kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2', [
            group,
            topic,
          ]);
          const at = new Map(rows.map((r) => [r.kafka_partition, BigInt(r.next_offset)]));
          return ends.every((e) => BigInt(e.high) === 0n || (at.get(e.partition) ?? 0n) >= BigInt(e.high));
        },
        { what: `the aggregator past the end of ${topic}`, timeoutMs: 60_000 },
      );
    }
  };
  /** The projection, summed per provider and category. */
  const counts = async () => {
    const { rows } = await pool.query(`SELECT provider, category, sum(count)::int AS n FROM flow_counts GROUP BY 1, 2 HAVING sum(count) <> 0 ORDER BY 1, 2`);
    return Object.fromEntries(rows.map((r) => [`${r.provider} ${r.category}`, r.n]));
  };
  /** The same from the input: what was recorded and not retracted. */
  const expected = (recorded: MovementRecorded[], retracted: Set<string>) => {
    const out: Record<string, number> = {};
    for (const m of recorded) if (!retracted.has(m.eventId)) out[`${m.provider} ${m.data.category}`] = (out[`${m.provider} ${m.data.category}`] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  const one = async (sql: string) => Number((await pool.query(sql)).rows[0].n);

  beforeAll(async () => {
    aggregatorUrl = await freshTestDatabase('mixed');
    await migrate(aggregatorUrl, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: aggregatorUrl, max: 6 });
    kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: topics.movements, numPartitions: 3 },
      { topic: topics.agreements, numPartitions: 1 },
    ]);
  }, 60_000);

  afterAll(async () => {
    await stopAggregator();
    for (const n of nodes) {
      await n.forwarder.stop();
      await n.pool.end();
    }
    await admin?.disconnect();
    await pool?.end();
    for (const url of [aggregatorUrl, ...nodeUrls]) if (url) await dropTestDatabase(url);
  });

  it('holds version 2 back, visibly and in stream order, and takes it in exactly once when restarted with version 2', async () => {
    const af = await startNode('AF');
    const ir = await startNode('IR');
    const categories = ['refugee', 'asylum_seeker', 'labour_migrant'] as const;
    const movement = (provider: 'AF' | 'IR', i: number) =>
      movementRecorded({ provider, data: { borderCrossingPoint: provider === 'AF' ? 'AF-TORKHAM' : 'IR-DOGHAROUN', category: categories[i % 3] } });
    await append(af.v1, af.pool, [agreementGranted('AF')], topics.agreements);
    await append(ir.v1, ir.pool, [agreementGranted('IR')], topics.agreements);
    await startAggregator(1);

    // AF at version 2: two appends (two signed roots). IR at version 1, with one retraction.
    const afV2 = [Array.from({ length: 25 }, (_, i) => movement('AF', i)), Array.from({ length: 12 }, (_, i) => movement('AF', i + 1))];
    for (const batch of afV2) await append(af.v2, af.pool, batch);
    const irV1 = Array.from({ length: 30 }, (_, i) => movement('IR', i));
    await append(ir.v1, ir.pool, irV1);
    await append(ir.v1, ir.pool, [movementRetracted(irV1[4])]);
    // AF goes back to version 1: it retracts one of its version 2 movements and records more.
    const afLater = Array.from({ length: 7 }, (_, i) => movement('AF', i + 2));
    await append(af.v1, af.pool, [movementRetracted(afV2[0][3])]);
    await append(af.v1, af.pool, afLater);
    await caughtUp();

    const recorded = [...afV2.flat(), ...irV1, ...afLater];
    const retracted = new Set([irV1[4].eventId, afV2[0][3].eventId]);
    // Only version 1 is read: AF's version 2 movements and the retraction behind one of them wait.
    expect(await counts()).toEqual(expected([...irV1, ...afLater], new Set([irV1[4].eventId])));
    expect(await awaitingCounts(pool, null)).toEqual([
      { provider: 'AF', type: 'MovementRecorded', schemaVersion: 2, events: 37 },
      { provider: 'AF', type: 'MovementRetracted', schemaVersion: 1, events: 1 },
    ]);
    expect(await one('SELECT count(*) AS n FROM quarantine')).toBe(0);
    const { rows: held } = await pool.query(`SELECT reason FROM awaiting_upgrade WHERE type = 'MovementRetracted'`);
    expect(held).toEqual([{ reason: 'behind an event of its stream that waits for an upgrade' }]);

    // Restarted reading version 2: what waited is taken in before the consumer resumes.
    await stopAggregator();
    expect(await startAggregator()).toEqual({ replayed: 38, stillWaiting: 0 });
    expect(await awaitingCounts(pool, null)).toEqual([]);
    expect(await counts()).toEqual(expected(recorded, retracted));

    // Delivered again (a node republishing from its store, Kafka redelivering): counted once.
    const extra = movement('AF', 0);
    await append(af.v2, af.pool, [extra]);
    const { rows: again } = await af.pool.query(
      `INSERT INTO outbox (global_position, topic, message_key) SELECT global_position, $1, stream_id FROM events WHERE type = 'MovementRecorded' RETURNING 1`,
      [topics.movements],
    );
    expect(again.length).toBe(37 + 7 + 1);
    await caughtUp();
    expect(await counts()).toEqual(expected([...recorded, extra], retracted));
    expect(await one('SELECT count(*) AS n FROM quarantine')).toBe(0);
    expect(await one(`SELECT count(*) AS n FROM regional_events WHERE provider = 'AF' AND topic = '${topics.movements}'`)).toBe(37 + 1 + 7 + 1);
    // Kept as published: version 2 with its root and proof, which still verify from the log.
    const { rows: v2 } = await pool.query(
      `SELECT event_id, type, schema_version, provider, stream_id, stream_version, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data, key_id, signature, proof
         FROM regional_events WHERE event_id = $1`,
      [afV2[1][5].eventId],
    );
    expect(v2[0]).toMatchObject({ schema_version: 2, signature: null, proof: { batch: { size: 12 }, proof: { index: 5 } } });
    expect(keys.registry().verify(rowToEnvelope(v2[0]))).toEqual({ ok: true, keyId: expect.any(String) });
  }, 180_000);
});
