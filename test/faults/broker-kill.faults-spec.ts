import { RunningRegion } from '@caravanserai/testing';
import { busiestLeader, checkExactlyAcknowledged, cluster, startFaultRegion, SteadyLoad, summary, waitProjected } from './harness';

/** Fault 1: the broker leading most partitions is SIGKILLed under load, and brought back. */
describe('fault 1: a broker killed during the load', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('broker');
  });
  afterAll(async () => {
    await region?.close();
    cluster.ensureUp();
  });

  it('loses nothing and doubles nothing while one broker of three is down', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(400);
    await waitProjected(region, 1);

    const victim = await busiestLeader(region.topic('movements'));
    const ackedAtFault = load.count;
    const killedAt = Date.now();
    cluster.kill(victim);
    // The region keeps going on two brokers: everything acknowledged before the kill gets
    // projected while the broker is still down, and the nodes keep acknowledging.
    await waitProjected(region, ackedAtFault);
    const recovered = Date.now() - killedAt;
    // And what the nodes acknowledge during the outage flows through too, on two brokers.
    await load.more(300);
    await waitProjected(region, load.count);
    const downMs = Date.now() - killedAt;
    cluster.start(victim);
    await load.more(300);
    const stats = await load.stop();

    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    summary('1 (broker SIGKILL)', stats, recovered, report, `node ${victim} (leader of most partitions) down ${(downMs / 1000).toFixed(1)} s`);
  });
});
