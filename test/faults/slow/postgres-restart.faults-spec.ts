import { RunningRegion, waitFor } from '@caravanserai/testing';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { checkExactlyAcknowledged, startFaultRegion, SteadyLoad, summary, waitProjected } from '../harness';

const ROOT = resolve(__dirname, '../../..');
const PORT = process.env.PG_FAULTS_PORT ?? '5433';
const pg = (...args: string[]) =>
  execFileSync('bash', [resolve(ROOT, 'deploy/postgres/pg-faults.sh'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });

/** Fault 4: PostgreSQL crashes and restarts (`pg_ctl stop -m immediate`) under the aggregator
 * and the nodes — a PostgreSQL of the test's own on port 5433, never the shared one. */
describe('fault 4: PostgreSQL restarted under the services', () => {
  const PG_BASE = `postgres://postgres@127.0.0.1:${PORT}`;
  let region: RunningRegion;

  beforeAll(async () => {
    pg('start');
    region = await startFaultRegion('pgrestart', { pgBase: PG_BASE });
  });
  afterAll(async () => {
    pg('start');
    await region?.close();
    pg('stop');
  });

  it('loses nothing and doubles nothing across two crashes of PostgreSQL', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(400);
    await waitProjected(region, 1);
    let ackedAtCrash = 0;
    let backAt = 0;
    let downMs = 0;
    for (let round = 1; round <= 2; round++) {
      ackedAtCrash = load.count;
      const t0 = Date.now();
      pg('stop', 'immediate');
      // Readiness says so while it is down.
      await waitFor(async () => (await fetch(`${region.aggregator.url}/v1/health/ready`)).status === 503, { timeoutMs: 20_000, what: 'aggregator not ready' });
      await waitFor(async () => (await fetch(`${[...region.nodes.values()][0].url}/v1/health/ready`)).status === 503, {
        timeoutMs: 20_000,
        what: 'node not ready',
      });
      pg('start');
      backAt = Date.now();
      downMs += backAt - t0;
      await load.more(300);
    }
    await waitProjected(region, ackedAtCrash);
    const recoveryMs = Date.now() - backAt;
    await load.more(300);
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(region, load.acknowledged);
    summary(
      '4 (PostgreSQL crash x2)',
      stats,
      recoveryMs,
      report,
      `PostgreSQL down ${(downMs / 1000).toFixed(1)} s in all; POSTs refused meanwhile were re-posted (idempotent by recordId)`,
    );
  });
});
