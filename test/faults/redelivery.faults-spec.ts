import { RunningRegion } from '@caravanserai/testing';
import { createKafka } from '@caravanserai/messaging';
import { checkExactlyAcknowledged, cluster, startFaultRegion, SteadyLoad, summary, waitProjected } from './harness';

/** Fault 5: the consumer group is reset to the beginning, so every event is delivered again. */
describe('fault 5: the same events delivered twice', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('redeliver');
  });
  afterAll(() => region?.close());

  it('counts each event once after the group is reset to the earliest offset', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(600);
    const before = load.count;
    await waitProjected(region, before);

    // The group must be empty to move its offsets: stop the aggregator cleanly (SIGTERM), under
    // load. A graceful stop finishes (or rolls back) the batch in flight and commits its offsets:
    // Kafka's committed offsets then equal, partition by partition, those PostgreSQL holds.
    await region.aggregator.stop('SIGTERM');
    // Nest re-raises the signal once its shutdown hooks are done, so a clean stop ends by SIGTERM.
    expect(region.aggregator.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(region.aggregator.log()).not.toMatch(/\bERROR\b|"level":"(error|fatal)"/);
    const admin = createKafka('faults-reset', cluster.bootstrap().split(',')).admin();
    await admin.connect();
    let partitions: number;
    try {
      const committed = await admin.fetchOffsets({ groupId: region.group, topics: [region.topic('movements')] });
      const { rows } = await region.pool.query<{ p: number; o: string }>(
        'SELECT kafka_partition AS p, next_offset AS o FROM consumer_offsets WHERE consumer_group = $1',
        [region.group],
      );
      partitions = rows.length;
      const inPostgres = Object.fromEntries(rows.map((r) => [r.p, r.o]));
      const inKafka = Object.fromEntries(committed[0].partitions.filter((p) => p.offset !== '-1').map((p) => [p.partition, p.offset]));
      expect(inKafka).toEqual(inPostgres);

      await admin.resetOffsets({ groupId: region.group, topic: region.topic('movements'), earliest: true });
      const reset = await admin.fetchOffsets({ groupId: region.group, topics: [region.topic('movements')] });
      expect(reset[0].partitions.every((p) => Number(p.offset) <= 0)).toBe(true);
    } finally {
      await admin.disconnect();
    }

    const restartedAt = Date.now();
    await region.startAggregator();
    await load.more(300);
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    const recoveryMs = Date.now() - restartedAt;
    const health = await region.get('/v1/health');
    const duplicates = Object.values(health.consumer as Record<string, { duplicates: number }>).reduce((s, c) => s + c.duplicates, 0);
    // Everything projected before the reset came again and was recognised as already there.
    expect(duplicates).toBeGreaterThanOrEqual(before);
    summary(
      '5 (group reset to earliest)',
      stats,
      recoveryMs,
      report,
      `${duplicates} redelivered events skipped as duplicates (>= ${before} projected before the reset); offsets committed on SIGTERM equal PostgreSQL's on ${partitions} partitions; recovery = restart to caught up`,
    );
  });
});
