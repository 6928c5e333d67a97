import { busiestLeader, checkExactlyAcknowledged, cluster, Pipeline, SteadyLoad, summary } from './harness';

/** Fault 1: the broker leading most partitions is SIGKILLed under load, and brought back. */
describe('fault 1: a broker killed during the load', () => {
  const pipeline = new Pipeline({ name: 'broker' });

  beforeAll(async () => {
    cluster.ensureUp();
    await pipeline.start();
  });
  afterAll(async () => {
    await pipeline.stop();
    cluster.ensureUp();
  });

  it('loses nothing and doubles nothing while one broker of three is down', async () => {
    const load = new SteadyLoad(pipeline, 100);
    load.start();
    await load.more(400);
    await pipeline.waitProjected(1);

    const victim = await busiestLeader(pipeline.topic);
    const ackedAtFault = load.count;
    const killedAt = Date.now();
    cluster.kill(victim);
    // The pipeline keeps going on two brokers: everything acknowledged before the kill gets
    // projected while the broker is still down, and the nodes keep acknowledging.
    await pipeline.waitProjected(ackedAtFault);
    const recovered = Date.now() - killedAt;
    // And what the nodes acknowledge during the outage flows through too, on two brokers.
    await load.more(300);
    await pipeline.waitProjected(load.count);
    const downMs = Date.now() - killedAt;
    cluster.start(victim);
    await load.more(300);
    const stats = await load.stop();

    const report = await checkExactlyAcknowledged(pipeline, load.acknowledged);
    summary('1 (broker SIGKILL)', stats, recovered, report, `node ${victim} (leader of most partitions) down ${(downMs / 1000).toFixed(1)} s`);
  });
});
