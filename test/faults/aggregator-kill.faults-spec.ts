import { RunningRegion, waitFor } from '@caravanserai/testing';
import { checkExactlyAcknowledged, startFaultRegion, SteadyLoad, summary, waitProjected } from './harness';

/** Fault 3: the aggregator SIGKILLed in the middle of its batches, three times, and restarted. */
describe('fault 3: the aggregator killed mid-batch, repeatedly', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('aggkill');
  });
  afterAll(() => region?.close());

  it('resumes each time without losing or doubling a movement', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(300);
    let duplicatesSeen = 0;
    let ackedAtKill = 0;
    let killedAt = 0;
    for (let round = 1; round <= 3; round++) {
      // Kill while it works through a backlog: it has taken at least one batch since its (re)start
      // and messages are still waiting, so a batch transaction is most likely open.
      await waitFor(
        async () => {
          const health = await region.get('/v1/health');
          const nodes = await region.get('/v1/nodes', 'admin');
          return Object.values(health.consumer as Record<string, { batches: number }>).some((s) => s.batches > 0) && nodes.lag.total > 0;
        },
        { timeoutMs: 60_000, intervalMs: 50, what: 'the aggregator busy with a backlog' },
      );
      ackedAtKill = load.count;
      killedAt = Date.now();
      await region.aggregator.stop('SIGKILL');
      await load.more(200); // a backlog builds while it is dead
      await region.startAggregator();
      const health = await region.get('/v1/health');
      duplicatesSeen += Object.values(health.consumer as Record<string, { duplicates: number }>).reduce((s, c) => s + c.duplicates, 0);
    }
    await waitProjected(region, ackedAtKill);
    const recoveryMs = Date.now() - killedAt;
    await load.more(200);
    const stats = await load.stop();

    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    summary(
      '3 (aggregator SIGKILL x3)',
      stats,
      recoveryMs,
      report,
      `recovery = last kill to everything acknowledged before it projected; ${duplicatesSeen} redelivered events skipped as duplicates after the restarts`,
    );
  });
});
