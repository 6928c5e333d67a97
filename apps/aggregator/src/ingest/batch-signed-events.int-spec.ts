import { EventEnvelope, TOPICS, topicName } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
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
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import type { BatchIngest } from '../infrastructure/batch-ingest.port';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';

/**
 * The attacks on batch signatures (signature version 2), published to the real broker and consumed
 * by the real consumer into the real PostgreSQL: each ends in the quarantine with its reason, and
 * nothing of it reaches the regional log or the projections. Version 1's attacks are in
 * signed-events.int-spec.ts; the key rules (revoked, retired, unknown) are shared, and tested for
 * version 2 in libs/crypto/src/batch-signature.spec.ts.
 */
describe('batch-signed events (Kafka + PostgreSQL)', () => {
  const prefix = `test-batch-${uniqueSuffix()}.`;
  const group = `${prefix}group`;
  const topics = { movements: topicName(TOPICS.movements, prefix), agreements: topicName(TOPICS.agreements, prefix) };
  const keys = testSigningKeys();
  let url: string;
  let pool: Pool;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: KafkaRegionalConsumer;

  const publish = (topic: string, events: object[]) =>
    producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: (e as EventEnvelope).streamId, value: JSON.stringify(e) })) });
  const caughtUp = async () => {
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
        { what: `the consumer past the end of ${topic}` },
      );
    }
  };
  const reasonsOf = async (events: { eventId: string }[]) => {
    const { rows } = await pool.query<{ payload: string; reason: string }>('SELECT payload, reason FROM quarantine');
    return events.map((e) => rows.find((r) => r.payload.includes(e.eventId))?.reason ?? 'not quarantined');
  };
  const logged = async (ids: string[]) => (await pool.query('SELECT 1 FROM regional_events WHERE event_id = ANY($1::uuid[])', [ids])).rowCount;
  const projected = async (provider: string) =>
    Number((await pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts WHERE provider = $1', [provider])).rows[0].n);
  const af = (n: number) =>
    Array.from({ length: n }, () => ({ ...movementRecorded({ provider: 'AF', data: { borderCrossingPoint: 'AF-TORKHAM' } }), schemaVersion: 2 as const }));
  const flip = (hash: string) => (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);

  beforeAll(async () => {
    url = await freshTestDatabase('batch_signed');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: topics.movements, numPartitions: 2 },
      { topic: topics.agreements, numPartitions: 1 },
    ]);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const regional = regionalIngests(pool, group, keys.registry());
    consumer = new KafkaRegionalConsumer(
      kafka,
      new Map<string, BatchIngest>([
        [topics.movements, regional.movements],
        [topics.agreements, regional.agreements],
      ]),
      { groupId: group, fromBeginning: true },
    );
    await consumer.start();
    await publish(topics.agreements, [keys.sign(agreementGranted('AF')), keys.sign(agreementGranted('KZ'))]);
    await caughtUp();
  }, 120_000);

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('takes in a batch spread over partitions, each event on its own proof, and a replay once', async () => {
    const batch = await keys.signer('AF').signBatch(af(9));
    const retraction = (await keys.signer('AF').signBatch([{ ...movementRetracted(batch[0]), schemaVersion: 2 as const }]))[0];
    const before = await projected('AF');
    await publish(topics.movements, batch);
    await publish(topics.movements, [retraction, batch[3], batch[8]]);
    await caughtUp();
    expect(await projected('AF')).toBe(before + 8);
    expect(await logged([...batch, retraction].map((e) => e.eventId))).toBe(10);
    expect(await reasonsOf([...batch, retraction])).toEqual(Array(10).fill('not quarantined'));
  });

  it('quarantines a tampered proof, a tampered root, a proof from another batch, an event moved between batches, a root signed by another state, and tampered data', async () => {
    const [one, two] = [await keys.signer('AF').signBatch(af(6)), await keys.signer('AF').signBatch(af(6))];
    const [kz] = await keys
      .signer('AF')
      .signBatch([{ ...movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } }), schemaVersion: 2 as const }]);
    const attacks = [
      { ...one[1], proof: { ...one[1].proof, path: [flip(one[1].proof.path[0]), ...one[1].proof.path.slice(1)] } },
      { ...one[2], batch: { ...one[2].batch, root: flip(one[2].batch.root) } },
      { ...one[3], proof: two[3].proof },
      { ...one[4], batch: two[4].batch, proof: two[4].proof },
      kz,
      { ...one[5], data: { ...one[5].data, category: 'refugee' as const } },
      { ...one[0], batch: { ...one[0].batch, size: 7 } },
    ];
    const before = { AF: await projected('AF'), KZ: await projected('KZ') };
    await publish(topics.movements, attacks);
    await caughtUp();
    expect((await reasonsOf(attacks)).map((r) => r.replace(/ under key .*/, ''))).toEqual([
      'SIGNATURE.INVALID: inclusion proof does not lead from the event to its batch root',
      'SIGNATURE.INVALID: inclusion proof does not lead from the event to its batch root',
      'SIGNATURE.INVALID: inclusion proof does not lead from the event to its batch root',
      'SIGNATURE.INVALID: inclusion proof does not lead from the event to its batch root',
      'KEY.STATE_MISMATCH: key af-test belongs to AF, the event\'s provider is "KZ"',
      'SIGNATURE.INVALID: inclusion proof does not lead from the event to its batch root',
      'SIGNATURE.INVALID: batch root signature does not match',
    ]);
    expect(await logged(attacks.map((e) => e.eventId))).toBe(0);
    expect({ AF: await projected('AF'), KZ: await projected('KZ') }).toEqual(before);
    // The rest of each batch, untouched, is still good on its own.
    await publish(topics.movements, [one[0], two[0]]);
    await caughtUp();
    expect(await projected('AF')).toBe(before.AF + 2);
  });
});
