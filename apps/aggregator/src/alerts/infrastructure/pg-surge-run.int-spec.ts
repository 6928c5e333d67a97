import { locateMigrations, migrate } from '@caravanserai/database';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import { dropTestDatabase, freshTestDatabase, TEST_KAFKA_BROKERS, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Pool } from 'pg';
import { KEY_RANGE, recordKey } from '../../disclosure/domain/cell-key';
import { addDays } from '../../disclosure/domain/policy';
import { DEFAULT_THRESHOLDS } from '../domain/surge-detector';
import { KafkaAlertPublisher } from './kafka-alert-publisher';
import { listAlerts } from './pg-alert-list';
import { runSurgeDetection } from './pg-surge-run';

/**
 * A detection run on the real PostgreSQL, then its outbox published on the real Kafka: a surge is
 * raised once (a second run changes nothing), escalates, subsides, and each change leaves exactly
 * one envelope that reaches alerts.v1 in order.
 */
describe('surge detection runs (PostgreSQL and Kafka)', () => {
  let url: string;
  let pool: Pool;
  const asOf = '2026-10-31';
  const now = new Date('2026-11-02T08:00:00Z');

  const secret = Buffer.alloc(32, 5);
  /** The record keys of the movements planted on day d (0 … 34), as many as that day's count. */
  let planted: number[][] = [];
  const keySum = (keys: number[]) => Number(keys.reduce((a, b) => a + BigInt(b), 0n) % BigInt(KEY_RANGE));
  /** AF>IR>TR asylum seekers at IR-DOGHAROUN: `base` a day for 28 days, then `recent` a day; each
   * movement with its record key, the cell's key_sum their sum mod 2^32 as ingest keeps it. */
  async function plant(base: number, recent: number) {
    await pool.query('DELETE FROM flow_counts');
    planted = [];
    for (let d = 0; d < 35; d++) {
      const day = addDays(asOf, d - 34);
      const keys = Array.from({ length: d < 28 ? base : recent }, (_, i) => recordKey(secret, `${day}-${i}`));
      planted.push(keys);
      await pool.query(`INSERT INTO flow_counts VALUES ($1, 'IR', 'IR-DOGHAROUN', 'entry', 'AF', 'TR', 'AF', 'asylum_seeker', 'female', '18-59', $2, $3)`, [
        day,
        keys.length,
        keySum(keys),
      ]);
    }
  }
  /** Each alert's stored keys are the sums of its windows' record keys (and the weeks' counts). */
  async function expectKeysOfPlanted(n: number) {
    const { rows } = await pool.query('SELECT recent_key, baseline_weeks, baseline_keys FROM alerts ORDER BY alert_id');
    expect(rows).toHaveLength(n);
    const weeks = [0, 1, 2, 3].map((w) => planted.slice(w * 7, w * 7 + 7).flat());
    for (const r of rows) {
      expect(Number(r.recent_key)).toBe(keySum(planted.slice(28).flat()));
      expect(r.baseline_weeks.map(Number)).toEqual(weeks.map((w) => w.length));
      expect(r.baseline_keys.map(Number)).toEqual(weeks.map(keySum));
    }
  }
  const outbox = async () => (await pool.query('SELECT envelope FROM alert_outbox ORDER BY id')).rows.map((r) => r.envelope);

  beforeAll(async () => {
    url = await freshTestDatabase('surge_run');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 3 });
  });

  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });

  it('raises, keeps, escalates and clears alerts, one outbox envelope per change', async () => {
    await plant(8, 20); // 56 a week, then 140: ×2.5
    expect(await runSurgeDetection(pool, DEFAULT_THRESHOLDS, now)).toEqual({ ran: true, asOf, series: 3, detected: 3, subsided: 0 });
    const raised = await listAlerts(pool, { status: 'active' });
    expect(raised.map((a) => a.scope).sort()).toEqual(['borderCrossingPoint', 'route', 'routeCategory']);
    for (const a of raised) {
      expect(a).toMatchObject({
        provider: 'IR',
        severity: 'high',
        recent: 140,
        expectedWeekly: 56,
        ratio: 2.5,
        window: { from: '2026-10-25', to: asOf },
        baseline: { from: '2026-09-27', to: '2026-10-24' },
      });
    }
    expect((await outbox()).map((e) => [e.type, e.streamVersion, e.data.severity])).toEqual(Array(3).fill(['SurgeDetected', 1, 'high']));
    await expectKeysOfPlanted(3);

    // The same data again: nothing new.
    expect(await runSurgeDetection(pool, DEFAULT_THRESHOLDS, now)).toMatchObject({ detected: 0, subsided: 0 });
    expect(await outbox()).toHaveLength(3);

    await plant(8, 40); // ×5: critical, same alerts
    expect(await runSurgeDetection(pool, DEFAULT_THRESHOLDS, now)).toMatchObject({ detected: 3, subsided: 0 });
    const escalated = await listAlerts(pool, { status: 'active' });
    expect(escalated.map((a) => a.alertId).sort()).toEqual(raised.map((a) => a.alertId).sort());
    expect(escalated.every((a) => a.severity === 'critical')).toBe(true);
    await expectKeysOfPlanted(3);
    const changes = (await outbox()).slice(3);
    expect(changes.map((e) => [e.type, e.streamVersion, e.data.severity, e.data.previousSeverity])).toEqual(
      Array(3).fill(['SurgeDetected', 2, 'critical', 'high']),
    );

    await plant(8, 8); // back to usual
    expect(await runSurgeDetection(pool, DEFAULT_THRESHOLDS, now)).toMatchObject({ detected: 0, subsided: 3 });
    expect(await listAlerts(pool, { status: 'active' })).toEqual([]);
    const all = await listAlerts(pool, { status: 'all' });
    expect(all.map((a) => [a.status, a.severity, a.recent])).toEqual(Array(3).fill(['subsided', 'critical', 56]));
    await expectKeysOfPlanted(3);
    expect((await outbox()).slice(6).map((e) => [e.type, e.streamVersion, e.data.severity])).toEqual(Array(3).fill(['SurgeSubsided', 3, 'critical']));
  });

  it('lets only one run at a time proceed (advisory lock)', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [0x5ca1e7]);
      expect(await runSurgeDetection(pool, DEFAULT_THRESHOLDS, now)).toMatchObject({ ran: false });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  it('publishes the outbox on alerts.v1 in order per alert and empties it', async () => {
    const topic = `int-alerts-${uniqueSuffix()}.alerts.v1`;
    const kafka = createKafka('int-alerts', TEST_KAFKA_BROKERS);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    await admin.disconnect();
    const expected = await outbox();
    const publisher = new KafkaAlertPublisher(pool, kafka, topic);
    expect(await publisher.drain(4)).toBe(expected.length);
    await publisher.stop();
    expect(await outbox()).toEqual([]);

    const consumer = kafka.consumer({ groupId: `int-alerts-${uniqueSuffix()}` });
    const seen: { key: string; eventId: string; streamVersion: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push({ key: message.key!.toString(), ...JSON.parse(message.value!.toString()) }) });
    try {
      await waitFor(() => seen.length >= expected.length, { timeoutMs: 30_000, what: 'every alert event on the topic' });
    } finally {
      await consumer.disconnect();
    }
    expect(seen.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
    for (const key of new Set(seen.map((e) => e.key))) {
      expect(seen.filter((e) => e.key === key).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    }
  });
});
