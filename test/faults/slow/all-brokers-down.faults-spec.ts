import { RunningRegion, waitFor } from '@caravanserai/testing';
import { checkExactlyAcknowledged, cluster, startFaultRegion, SteadyLoad, summary, waitProjected } from '../harness';

/** Fault 2: every broker down for a minute; the nodes keep accepting into their outbox and catch
 * up when Kafka returns. */
describe('fault 2: all brokers down for a minute', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('allbrokers');
  });
  afterAll(async () => {
    cluster.ensureUp();
    await region?.close();
  });

  it('keeps accepting, reports the outage truthfully, and delivers everything once Kafka is back', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(400);
    await waitProjected(region, 1);

    const downAt = Date.now();
    cluster.run('stop');
    const ackedAtOutage = load.count;
    const [state, node] = [...region.nodes.entries()][0];
    // Readiness tells the truth: neither the aggregator nor the node is ready; the node says it
    // keeps accepting, that the broker is down, and its outbox grows.
    await waitFor(async () => (await fetch(`${region.aggregator.url}/v1/health/ready`)).status === 503, { timeoutMs: 30_000, what: 'aggregator not ready' });
    const nodeReady = await waitFor(
      async () => {
        const res = await fetch(`${node.url}/v1/health/ready`);
        const body = (await res.json()) as { broker: string; accepting: boolean; outboxBacklog: number };
        return res.status === 503 && body.broker === 'down' && body.accepting && body.outboxBacklog > 0 ? body : null;
      },
      { timeoutMs: 30_000, what: 'node not ready, still accepting, with the broker down and a backlog' },
    );
    expect(nodeReady.broker).toBe('down');
    // A minute without any broker, under load.
    await waitFor(() => Date.now() - downAt >= 60_000, { timeoutMs: 90_000, intervalMs: 500, what: 'a minute of outage' });
    const acceptedDuringOutage = load.count - ackedAtOutage;
    expect(acceptedDuringOutage).toBeGreaterThan(1000);
    const metrics = await (await fetch(`${node.url}/metrics`, { headers: region.nodeAdmin(state) })).text();
    const backlog = Number(/caravanserai_outbox_backlog\{[^}]*\} (\d+)/.exec(metrics)![1]);
    expect(backlog).toBeGreaterThan(0);
    expect(metrics).toMatch(/caravanserai_broker_up\{[^}]*\} 0/);

    const backAt = Date.now();
    cluster.ensureUp();
    const ackedAtReturn = load.count;
    await waitProjected(region, ackedAtReturn, 240_000);
    const recoveryMs = Date.now() - backAt;
    await waitFor(async () => (await fetch(`${region.aggregator.url}/v1/health/ready`)).status === 200, { timeoutMs: 30_000, what: 'aggregator ready again' });
    await load.more(300);
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    summary(
      '2 (all brokers down)',
      stats,
      recoveryMs,
      report,
      `outage ${((backAt - downAt) / 1000).toFixed(0)} s, ${acceptedDuringOutage} accepted during it (AF outbox ${backlog} at the end of it); recovery = cluster back to everything acknowledged projected`,
    );
  });
});
