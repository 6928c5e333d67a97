import { RunningRegion, waitFor } from '@caravanserai/testing';
import { checkExactlyAcknowledged, startFaultRegion, SteadyLoad, summary, waitProjected } from '../harness';

/** Fault 7: two aggregator instances share the consumer group; one is SIGKILLed and the other
 * takes over its partitions. */
describe('fault 7: one of two aggregator instances killed', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('takeover');
  });
  afterAll(() => region?.close());

  it('the survivor takes over every partition and nothing is lost or doubled', async () => {
    const second = await region.startAggregator({ name: 'aggregator-2', main: false });
    const load = new SteadyLoad(region, 100);
    load.start();
    const batchesOf = async (url: string) =>
      Object.values(((await (await fetch(`${url}/v1/health`)).json()) as { consumer: Record<string, { batches: number }> }).consumer).reduce(
        (s, c) => s + c.batches,
        0,
      );
    // Both instances take batches: the partitions are shared.
    await waitFor(async () => (await batchesOf(region.aggregator.url)) > 0 && (await batchesOf(second.service.url)) > 0, {
      timeoutMs: 90_000,
      what: 'both instances consuming',
    });

    const killedAt = Date.now();
    const ackedAtKill = load.count;
    await region.aggregator.stop('SIGKILL');
    region.main = second;
    await waitProjected(region, ackedAtKill);
    // Records after the kill land on every partition (keyed by stream): all of them must come
    // through the survivor, so it must have taken over the dead instance's partitions.
    await load.more(300);
    await waitProjected(region, load.count);
    const recoveryMs = Date.now() - killedAt;
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    summary(
      '7 (one of two aggregators SIGKILL)',
      stats,
      recoveryMs,
      report,
      `recovery = kill to everything acknowledged until 300 records after it projected by the survivor alone`,
    );
  });
});
