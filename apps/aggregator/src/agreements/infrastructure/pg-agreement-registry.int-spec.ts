import { AgreementGranted, EventEnvelope, TOPICS, topicName } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import {
  agreementAmended,
  agreementGranted,
  dropTestDatabase,
  freshTestDatabase,
  signed,
  TEST_KAFKA_BROKERS,
  testSigningKeys,
  uniqueSuffix,
  waitFor,
} from '@caravanserai/testing';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { Pool } from 'pg';
import type { BatchIngest } from '../../infrastructure/batch-ingest.port';
import { KafkaRegionalConsumer } from '../../ingest/kafka-regional.consumer';
import { regionalIngests } from '../../regional-ingests';
import { PgAgreementRegistry } from './pg-agreement-registry';

/**
 * The data period (dataFrom/dataUntil: which days of data a grant covers) from agreements.v1 into
 * the registry: published to the real broker, taken in by the real consumer into the real
 * PostgreSQL, and read back as the queries read it. Enforcing it is the queries' business.
 */
describe('agreement data period: agreements.v1 to the registry (Kafka + PostgreSQL)', () => {
  const prefix = `test-dataperiod-${uniqueSuffix()}.`;
  const group = `${prefix}group`;
  const topic = topicName(TOPICS.agreements, prefix);

  let url: string;
  let pool: Pool;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: KafkaRegionalConsumer;
  let registry: PgAgreementRegistry;

  const publish = async (events: EventEnvelope[]) => {
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.streamId, value: JSON.stringify(signed(e)) })) });
  };
  /** Until the consumer has committed (in PostgreSQL, with the ingest) past every message published so far. */
  const caughtUp = async () => {
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        const { rows } = await pool.query<{ kafka_partition: number; next_offset: string }>(
          'SELECT kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
          [group, topic],
        );
        const committed = new Map(rows.map((r) => [r.kafka_partition, BigInt(r.next_offset)]));
        return ends.every((e) => BigInt(e.high) === 0n || (committed.get(e.partition) ?? 0n) >= BigInt(e.high));
      },
      { what: `the consumer past the end of ${topic}` },
    );
  };
  const reasonOf = async (event: { eventId: string }) =>
    (await pool.query<{ reason: string }>('SELECT reason FROM quarantine WHERE payload LIKE $1', [`%${event.eventId}%`])).rows[0]?.reason ?? 'not quarantined';
  const grantOf = async (agreementId: string) => (await registry.grants()).find((g) => g.agreementId === agreementId);
  const storedTerms = async (agreementId: string) =>
    (await pool.query<{ terms: Record<string, unknown> }>('SELECT terms FROM agreements WHERE agreement_id = $1', [agreementId])).rows[0]?.terms;

  beforeAll(async () => {
    url = await freshTestDatabase('dataperiod');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    registry = new PgAgreementRegistry(pool);
    kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    consumer = new KafkaRegionalConsumer(
      kafka,
      new Map<string, BatchIngest>([[topic, regionalIngests(pool, group, testSigningKeys().registry()).agreements]]),
      { groupId: group, fromBeginning: true },
    );
    await consumer.start();
  }, 120_000);

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('a grant for 2026 data only lands in the registry with its data period, and each amendment of it after it', async () => {
    const grant = agreementGranted('AF', { recipient: 'secretariat', validFrom: '2026-01-01', dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
    const id = grant.data.agreementId;
    await publish([grant]);
    await caughtUp();
    expect(await reasonOf(grant)).toBe('not quarantined');
    expect(await storedTerms(id)).toMatchObject({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
    expect(await grantOf(id)).toMatchObject({
      provider: 'AF',
      recipient: 'secretariat',
      validFrom: '2026-01-01',
      dataFrom: '2026-01-01',
      dataUntil: '2026-12-31',
    });

    // the first half of 2026 only; then no first day (every day up to 30 June 2026)
    await publish([agreementAmended(grant, { dataUntil: '2026-06-30' }, 2), agreementAmended(grant, { dataFrom: null, minCellSize: 3 }, 3)]);
    await caughtUp();
    expect(await storedTerms(id)).toMatchObject({ dataFrom: null, dataUntil: '2026-06-30', minCellSize: 3 });
    expect(await grantOf(id)).toMatchObject({ dataFrom: null, dataUntil: '2026-06-30', minCellSize: 3 });

    // the list a reader sees (GET /v1/agreements) carries the period too, with the amendments in its history
    const [listed] = await registry.list({ providers: ['AF'] });
    expect(listed).toMatchObject({ agreementId: id, dataFrom: null, dataUntil: '2026-06-30' });
    expect(listed.history.map((e) => e.data)).toEqual([
      expect.objectContaining({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' }),
      { agreementId: id, changes: { dataUntil: '2026-06-30' } },
      { agreementId: id, changes: { dataFrom: null, minCellSize: 3 } },
    ]);
  });

  it('a grant published before the data period existed (no dataFrom/dataUntil) is taken in, and read as covering every day', async () => {
    const current = agreementGranted('KZ', { recipient: 'org:UNHCR' });
    const { dataFrom: _f, dataUntil: _u, ...legacyData } = current.data;
    const legacy = { ...current, data: legacyData } as AgreementGranted;
    await publish([legacy]);
    await caughtUp();
    expect(await reasonOf(legacy)).toBe('not quarantined');
    expect(await storedTerms(legacy.data.agreementId)).not.toHaveProperty('dataFrom');
    expect(await grantOf(legacy.data.agreementId)).toMatchObject({ provider: 'KZ', dataFrom: null, dataUntil: null });

    // and it can be given a data period later
    await publish([agreementAmended(legacy, { dataFrom: '2025-01-01' }, 2)]);
    await caughtUp();
    expect(await grantOf(legacy.data.agreementId)).toMatchObject({ version: expect.any(Number), dataFrom: '2025-01-01', dataUntil: null });
  });

  it('quarantines a grant whose data period ends before it starts, and an amendment that makes the period end before it starts', async () => {
    const reversed = agreementGranted('TM', { dataFrom: '2026-06-01', dataUntil: '2026-05-31' });
    const grant = agreementGranted('PK', { dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
    const backwards = agreementAmended(grant, { dataUntil: '2025-12-31' }, 2);
    await publish([reversed, grant, backwards]);
    await caughtUp();

    expect(await reasonOf(reversed)).toMatch(/^invalid AgreementGranted: data\.dataUntil: dataUntil 2026-05-31 is before dataFrom 2026-06-01/);
    expect(await grantOf(reversed.data.agreementId)).toBeUndefined();
    // the changes alone are valid; against the terms the registry holds, they are not
    expect(await reasonOf(backwards)).toMatch(/^amendment leads to invalid terms: dataUntil: dataUntil 2025-12-31 is before dataFrom 2026-01-01/);
    expect(await grantOf(grant.data.agreementId)).toMatchObject({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
  });
});
