import { createKafka } from '@caravanserai/messaging';
import { checkExactlyAcknowledged, cluster, Pipeline, SteadyLoad, summary } from './harness';

/** Fault 5: the consumer group is reset to the beginning, so every event is delivered again. */
describe('fault 5: the same events delivered twice', () => {
  const pipeline = new Pipeline({ name: 'redeliver' });

  beforeAll(async () => {
    cluster.ensureUp();
    await pipeline.start();
  });
  afterAll(() => pipeline.stop());

  it('counts each event once after the group is reset to the earliest offset', async () => {
    const load = new SteadyLoad(pipeline, 100);
    load.start();
    await load.more(1000);
    const before = load.count;
    await pipeline.waitProjected(before);

    // The group must be empty to move its offsets: stop the aggregator cleanly (SIGTERM).
    await pipeline.aggregator.stop('SIGTERM');
    const kafka = createKafka('faults-reset', cluster.bootstrap().split(','));
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: pipeline.group, topic: pipeline.topic, earliest: true });
    const offsets = await admin.fetchOffsets({ groupId: pipeline.group, topics: [pipeline.topic] });
    await admin.disconnect();
    expect(offsets[0].partitions.every((p) => p.offset === '0' || p.offset === '-1' || Number(p.offset) <= 0)).toBe(true);

    const restartedAt = Date.now();
    await pipeline.startAggregator();
    await load.more(300);
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(pipeline, load.acknowledged);
    const recoveryMs = Date.now() - restartedAt;
    const health = await pipeline.get('/v1/health');
    const duplicates = Object.values(health.consumer as Record<string, { duplicates: number }>).reduce((s, c) => s + c.duplicates, 0);
    // Everything projected before the reset came again and was recognised as already there.
    expect(duplicates).toBeGreaterThanOrEqual(before);
    summary('5 (group reset to earliest)', stats, recoveryMs, report, `${duplicates} redelivered events skipped as duplicates (>= ${before} projected before the reset); recovery = restart to caught up`);
  });
});
