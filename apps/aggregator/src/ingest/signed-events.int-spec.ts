import { EventEnvelope, TOPICS, topicName } from '@caravanserai/contracts';
import { EnvelopeSigner, generateSigningKeyPair, TrustedKeyEntry, TrustedKeysFile } from '@caravanserai/crypto';
import { locateMigrations, migrate } from '@caravanserai/database';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import {
  agreementGranted,
  dropTestDatabase,
  freshTestDatabase,
  movementRecorded,
  referralLifecycle,
  TEST_KAFKA_BROKERS,
  uniqueSuffix,
  waitFor,
} from '@caravanserai/testing';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import { replayQuarantined } from '../quarantine/infrastructure/pg-quarantine-replay';
import type { BatchIngest } from '../infrastructure/batch-ingest.port';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';

/**
 * The attacks on signed events, each published to the real broker and consumed by the real
 * consumer into the real PostgreSQL: every forged, tampered or wrongly keyed event ends in the
 * quarantine with its reason, and nothing of it reaches the regional log or the projections.
 */
describe('signed events (Kafka + PostgreSQL)', () => {
  const prefix = `test-sign-${uniqueSuffix()}.`;
  const group = `${prefix}group`;
  const topics = {
    movements: topicName(TOPICS.movements, prefix),
    agreements: topicName(TOPICS.agreements, prefix),
    referrals: topicName(TOPICS.referrals, prefix),
  };
  const dir = mkdtempSync(join(tmpdir(), 'signed-events-'));
  const trustPath = join(dir, 'trusted-node-keys.json');
  const RETIRED_AT = '2026-06-01T00:00:00.000Z';

  // AF and KZ have one active key each; IR rotated (old key retired, new one active); PK's key
  // was revoked; the stranger's key is in no trust file.
  const pair = (keyId: string) => {
    const p = generateSigningKeyPair();
    return { keyId, signer: new EnvelopeSigner(p.privateKey, keyId), publicKey: p.publicKeyPem };
  };
  const af = pair('af-1');
  const kz = pair('kz-1');
  const irOld = pair('ir-2025');
  const irNew = pair('ir-2026');
  const pk = pair('pk-1');
  const stranger = pair('kz-2');
  const entries = (afStatus: 'active' | 'revoked' = 'active'): TrustedKeyEntry[] => [
    { keyId: af.keyId, state: 'AF', publicKey: af.publicKey, status: afStatus },
    { keyId: kz.keyId, state: 'KZ', publicKey: kz.publicKey, status: 'active' },
    { keyId: irOld.keyId, state: 'IR', publicKey: irOld.publicKey, status: 'retired', retiredAt: RETIRED_AT },
    { keyId: irNew.keyId, state: 'IR', publicKey: irNew.publicKey, status: 'active' },
    { keyId: pk.keyId, state: 'PK', publicKey: pk.publicKey, status: 'revoked', revokedAt: '2026-01-01T00:00:00Z' },
  ];
  const writeTrust = (list: TrustedKeyEntry[]) => {
    writeFileSync(`${trustPath}.tmp`, JSON.stringify({ keys: list }));
    renameSync(`${trustPath}.tmp`, trustPath);
  };

  let url: string;
  let pool: Pool;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let trust: TrustedKeysFile;
  let consumer: KafkaRegionalConsumer;

  const publish = async (topic: string, events: (EventEnvelope | string)[]) => {
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((e) => ({ key: typeof e === 'string' ? 'raw' : e.streamId, value: typeof e === 'string' ? e : JSON.stringify(e) })),
    });
  };
  /** Until the consumer has committed (in PostgreSQL, with the ingest) past every message published so far. */
  const caughtUp = async () => {
    for (const topic of Object.values(topics)) {
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
    }
  };
  const reasonsOf = async (events: { eventId: string }[]) => {
    const { rows } = await pool.query<{ payload: string; reason: string }>('SELECT payload, reason FROM quarantine');
    return events.map((e) => rows.find((r) => r.payload.includes(e.eventId))?.reason.split(':')[0] ?? 'not quarantined');
  };
  const logged = async (events: { eventId: string }[]) =>
    (await pool.query('SELECT event_id FROM regional_events WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.eventId)])).rowCount;
  const projected = async (provider: string) =>
    Number((await pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts WHERE provider = $1', [provider])).rows[0].n);
  const pooled = async (provider: string) =>
    (await pool.query('SELECT pooled_at IS NOT NULL AS p FROM provider_pool WHERE provider = $1', [provider])).rows[0].p;

  beforeAll(async () => {
    writeTrust(entries());
    url = await freshTestDatabase('signed');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: topics.movements, numPartitions: 2 },
      { topic: topics.agreements, numPartitions: 1 },
      { topic: topics.referrals, numPartitions: 1 },
    ]);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    trust = new TrustedKeysFile(trustPath, { log: () => undefined, error: () => undefined });
    trust.watch(50);
    const regional = regionalIngests(pool, group, trust);
    consumer = new KafkaRegionalConsumer(
      kafka,
      new Map<string, BatchIngest>([
        [topics.movements, regional.movements],
        [topics.agreements, regional.agreements],
        [topics.referrals, regional.referrals],
      ]),
      { groupId: group, fromBeginning: true },
    );
    await consumer.start();
    // AF and IR pool their data with a grant each, signed by their active keys.
    await publish(topics.agreements, [af.signer.sign(agreementGranted('AF')), irNew.signer.sign(agreementGranted('IR'))]);
    await caughtUp();
    expect(await pooled('AF')).toBe(true);
  }, 120_000);

  afterAll(async () => {
    trust?.close();
    await consumer?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await pool?.end();
    if (url) await dropTestDatabase(url);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes in events signed by an active key of their provider, and one replayed is counted once', async () => {
    const good = af.signer.sign(movementRecorded({ provider: 'AF', data: { borderCrossingPoint: 'AF-TORKHAM' } }));
    const before = await projected('AF');
    await publish(topics.movements, [good, good]);
    await caughtUp();
    await publish(topics.movements, [good]);
    await caughtUp();
    expect(await projected('AF')).toBe(before + 1);
    expect(await logged([good])).toBe(1);
    expect(await reasonsOf([good])).toEqual(['not quarantined']);
    const { rows } = await pool.query('SELECT key_id, signature FROM regional_events WHERE event_id = $1', [good.eventId]);
    expect(rows).toEqual([{ key_id: 'af-1', signature: good.signature }]);
  });

  it('quarantines tampered, unsigned, unknown-key, revoked-key and wrong-state movements, and projects none of them', async () => {
    const before = { AF: await projected('AF'), PK: await projected('PK') };
    const base = () => movementRecorded({ provider: 'AF', data: { borderCrossingPoint: 'AF-TORKHAM' } });
    const signedGood = af.signer.sign(base());
    const tampered = { ...signedGood, data: { ...signedGood.data, category: 'refugee' as const } };
    const unsigned = base();
    const unknownKey = stranger.signer.sign(base());
    const relabelled = { ...stranger.signer.sign(base()), keyId: 'af-1' };
    const revoked = pk.signer.sign(movementRecorded({ provider: 'PK', data: { borderCrossingPoint: 'PK-TORKHAM' } }));
    const wrongState = af.signer.sign(movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } }));
    const attacks = [tampered, unsigned, unknownKey, relabelled, revoked, wrongState];
    await publish(topics.movements, attacks);
    await caughtUp();

    expect(await reasonsOf(attacks)).toEqual([
      'SIGNATURE.INVALID',
      'SIGNATURE.MISSING',
      'KEY.UNKNOWN',
      'SIGNATURE.INVALID',
      'KEY.REVOKED',
      'KEY.STATE_MISMATCH',
    ]);
    expect(await logged(attacks)).toBe(0);
    expect({ AF: await projected('AF'), PK: await projected('PK') }).toEqual(before);
    expect(await projected('KZ')).toBe(0);
  });

  it('quarantines a signed, valid agreement whose text holds a NUL, which the log cannot store, and takes in the rest of its batch', async () => {
    // Without the check, the batch's insert failed at every retry and the topic stood still.
    const withNul = af.signer.sign(agreementGranted('AF', { purpose: 'research \u0000 purposes' }));
    const after = af.signer.sign(agreementGranted('AF', { purpose: 'research' }));
    await publish(topics.agreements, [withNul, after]);
    await caughtUp();
    expect(await reasonsOf([withNul, after])).toEqual(['BODY.NUL', 'not quarantined']);
    expect(await logged([withNul])).toBe(0);
    expect(await logged([after])).toBe(1);
  });

  it('quarantines a forged agreement for another state (AF key, unknown key, KZ key id over an AF signature): KZ stays unpooled', async () => {
    // KZ's own movement, held until KZ grants something.
    const held = kz.signer.sign(movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } }));
    await publish(topics.movements, [held]);
    const byAf = af.signer.sign(agreementGranted('KZ'));
    const byStranger = stranger.signer.sign(agreementGranted('KZ'));
    const relabelled = { ...af.signer.sign(agreementGranted('KZ')), keyId: 'kz-1' };
    const unsigned = agreementGranted('KZ');
    const forged = [byAf, byStranger, relabelled, unsigned];
    await publish(topics.agreements, forged);
    await caughtUp();

    expect(await reasonsOf(forged)).toEqual(['KEY.STATE_MISMATCH', 'KEY.UNKNOWN', 'SIGNATURE.INVALID', 'SIGNATURE.MISSING']);
    expect(await logged(forged)).toBe(0);
    expect((await pool.query(`SELECT count(*)::int AS n FROM agreements WHERE provider = 'KZ'`)).rows[0].n).toBe(0);
    expect(await pooled('KZ')).toBe(false);
    expect(await projected('KZ')).toBe(0);
    expect(await logged([held])).toBe(1);
  });

  it('quarantines a referral event signed by another state, and its referral never appears', async () => {
    const [made] = referralLifecycle(['made'], { provider: 'IR' });
    const forged = af.signer.sign(made);
    await publish(topics.referrals, [forged]);
    await caughtUp();
    expect(await reasonsOf([forged])).toEqual(['KEY.STATE_MISMATCH']);
    expect((await pool.query('SELECT count(*)::int AS n FROM referral_facts WHERE stream_id = $1', [made.streamId])).rows[0].n).toBe(0);
  });

  it('rotation: the retired key verifies what was recorded before its retirement, not after; the new key verifies', async () => {
    const at = (recordedAt: string) => ({ ...movementRecorded({ provider: 'IR' }), recordedAt });
    const beforeRetirement = irOld.signer.sign(at('2026-05-31T23:59:59.000Z'));
    const afterRetirement = irOld.signer.sign(at('2026-06-01T00:00:00.000Z'));
    const newKey = irNew.signer.sign(at('2026-06-02T00:00:00.000Z'));
    const before = await projected('IR');
    await publish(topics.movements, [beforeRetirement, afterRetirement, newKey]);
    await caughtUp();
    expect(await reasonsOf([beforeRetirement, afterRetirement, newKey])).toEqual(['not quarantined', 'KEY.RETIRED', 'not quarantined']);
    expect(await logged([beforeRetirement, afterRetirement, newKey])).toBe(2);
    expect(await projected('IR')).toBe(before + 2);
  });

  it('follows the trust file while running: AF revoked by the operator, its next events are quarantined', async () => {
    const loads = trust.loads;
    writeTrust(entries('revoked'));
    await waitFor(() => trust.loads > loads, { what: 'the trust file reloaded' });
    const late = af.signer.sign(movementRecorded({ provider: 'AF', data: { borderCrossingPoint: 'AF-TORKHAM' } }));
    const before = await projected('AF');
    await publish(topics.movements, [late]);
    await caughtUp();
    expect(await reasonsOf([late])).toEqual(['KEY.REVOKED']);
    expect(await projected('AF')).toBe(before);
    writeTrust(entries());
    await waitFor(() => trust.loads > loads + 1, { what: 'the trust file reloaded again' });
  });

  it('quarantine replay verifies too: a tampered event stays quarantined, fixed or not; a message of a key trusted since is taken in', async () => {
    const regional = regionalIngests(pool, group, trust);
    const ingests = { [TOPICS.movements]: regional.movements, [TOPICS.agreements]: regional.agreements, [TOPICS.referrals]: regional.referrals };
    const idOf = async (e: { eventId: string }) =>
      Number((await pool.query(`SELECT id FROM quarantine WHERE payload LIKE '%' || $1 || '%'`, [e.eventId])).rows[0].id);
    const signedGood = af.signer.sign(movementRecorded({ provider: 'AF', data: { borderCrossingPoint: 'AF-TORKHAM' } }));
    const tampered = { ...signedGood, data: { ...signedGood.data, sex: 'female' as const } };
    const newcomer = stranger.signer.sign(movementRecorded({ provider: 'KZ', data: { borderCrossingPoint: 'KZ-KORDAY' } }));
    await publish(topics.movements, [tampered, newcomer]);
    await caughtUp();
    expect(await reasonsOf([tampered, newcomer])).toEqual(['SIGNATURE.INVALID', 'KEY.UNKNOWN']);
    const before = await projected('AF');

    const tamperedId = await idOf(tampered);
    expect(await replayQuarantined(pool, ingests, tamperedId)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^SIGNATURE\.INVALID/) });
    // An operator's "fix" (the signature dropped, or the field put back unsigned) is no way round it.
    const { signature: _s, keyId: _k, ...stripped } = tampered;
    expect(await replayQuarantined(pool, ingests, tamperedId, JSON.stringify(stripped))).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/^SIGNATURE\.MISSING/),
    });
    expect(await replayQuarantined(pool, ingests, tamperedId, JSON.stringify({ ...tampered, data: { ...tampered.data, sex: 'female' } }))).toMatchObject({
      status: 'rejected',
    });
    expect(await logged([tampered])).toBe(0);
    expect(await projected('AF')).toBe(before);

    // The operator adds KZ's second key; the message it signed can now be replayed.
    writeTrust([...entries(), { keyId: stranger.keyId, state: 'KZ', publicKey: stranger.publicKey, status: 'active' }]);
    expect(trust.reload()).toBe(true);
    expect(await replayQuarantined(pool, ingests, await idOf(newcomer))).toMatchObject({ status: 'applied' });
    expect(await logged([newcomer])).toBe(1);
  });
});
