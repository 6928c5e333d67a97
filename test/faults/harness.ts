import { createKafka } from '@caravanserai/messaging';
import { generateMovements, OPEN_TERMS, postMovements, SyntheticMovement, toRawMovement } from '@caravanserai/synthetic';
import { RunningRegion, startRegion, waitFor } from '@caravanserai/testing';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What the fault tests share: the three-broker cluster (deploy/kafka/kafka-cluster.sh, never the
 * shared single broker), a region (libs/testing's startRegion: two national nodes and an
 * aggregator as processes, on throw-away databases, with their own topic prefix and consumer
 * group) on it, a steady load that remembers every record a node acknowledged, and the final
 * check that the regional projections hold exactly those records.
 */
const ROOT = resolve(__dirname, '../..');
const CLUSTER_SCRIPT = resolve(ROOT, 'deploy/kafka/kafka-cluster.sh');

export const cluster = {
  run(...args: string[]): string {
    return execFileSync('bash', [CLUSTER_SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  },
  /** Starts whichever nodes are down and waits until the cluster answers (idempotent). */
  ensureUp(): void {
    cluster.run('start');
  },
  bootstrap(): string {
    return cluster.run('bootstrap').trim();
  },
  kill(node: number): void {
    cluster.run('kill-node', String(node));
  },
  start(node: number): void {
    cluster.run('start-node', String(node));
  },
};

/** Node id (1..3) of the broker leading most partitions of `topic`. */
export async function busiestLeader(topic: string): Promise<number> {
  const kafka = createKafka('faults-probe', cluster.bootstrap().split(','));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = new Map<number, number>();
    for (const p of topics[0].partitions) count.set(p.leader, (count.get(p.leader) ?? 0) + 1);
    return [...count].sort((a, b) => b[1] - a[1])[0][0];
  } finally {
    await admin.disconnect();
  }
}

/**
 * The fault tests' region on the cluster (started first if it is down): AF and IR, each granting the secretariat everything at
 * the finest level (the checks compare exact counts); topics replicated three times, six
 * partitions of movements; a SIGKILLed aggregator's partitions handed over after 8 s instead of 30.
 */
export function startFaultRegion(name: string, options: { pgBase?: string } = {}): Promise<RunningRegion> {
  cluster.ensureUp();
  return startRegion({
    name: `faults-${name}`,
    states: ['AF', 'IR'],
    grants: [{ ...OPEN_TERMS, recipient: 'secretariat' }],
    brokers: cluster.bootstrap(),
    pgBase: options.pgBase,
    env: { TOPIC_REPLICATION_FACTOR: '3', MOVEMENTS_PARTITIONS: '6', LOG_LEVEL: 'log', OUTBOX_IDLE_MS: '100' },
    aggregatorEnv: { CONSUMER_SESSION_TIMEOUT_MS: '8000' },
  });
}

/** Movements in the regional log (each event id is unique there by constraint). */
export async function projectedEvents(region: RunningRegion): Promise<number> {
  const { rows } = await region.pool.query<{ n: string }>(`SELECT count(*) AS n FROM regional_events WHERE type = 'MovementRecorded'`);
  return Number(rows[0].n);
}

/** Waits until `n` movements are in the regional log; returns how long that took. */
export async function waitProjected(region: RunningRegion, n: number, timeoutMs = 180_000): Promise<number> {
  const t0 = Date.now();
  await waitFor(async () => (await projectedEvents(region)) >= n, { timeoutMs, intervalMs: 200, what: `${n} movements in the regional log` });
  return Date.now() - t0;
}

/**
 * Cuts a release with the aggregator's admin key (answers read only the latest release), holding
 * every day up to yesterday (UTC), the latest a release may hold. The fault tests' data end
 * before that (2026-03 onwards at a few hundred records a second: well before December), which
 * is checked here, so that a release holds every projected record and answers stay comparable
 * with what was acknowledged.
 */
export async function cutFullRelease(region: RunningRegion): Promise<{ id: number; cutAt: string; dataUntil: string }> {
  const now = new Date();
  const dataUntil = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
  const { rows } = await region.pool.query<{ last: string | null }>(`SELECT to_char(max(day), 'YYYY-MM-DD') AS last FROM flow_counts WHERE count <> 0`);
  if (rows[0].last !== null && rows[0].last > dataUntil) {
    throw new Error(`projected data reach ${rows[0].last}, after ${dataUntil}: a release could not hold them all`);
  }
  return region.release({ dataUntil, reason: 'fault test check' });
}

export interface LoadStats {
  nodes: number;
  ratePerNode: number;
  acknowledged: number;
  seconds: number;
  retries: number;
  slowestPostMs: number;
}

/**
 * A steady stream of movements posted to each node, `ratePerNode` records a second in batches
 * every `intervalMs`. A batch that fails is posted again until a node answers (the node is
 * idempotent by recordId), so every record generated ends up acknowledged exactly once, with its
 * event id.
 */
export class SteadyLoad {
  readonly acknowledged = new Map<string, SyntheticMovement>(); // eventId -> record
  private running = false;
  private loops: Promise<void>[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  private retries = 0;
  private slowest = 0;

  constructor(
    private readonly region: RunningRegion,
    private readonly ratePerNode = 100,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.running = true;
    this.startedAt = Date.now();
    this.loops = this.region.states.map((state, i) => this.loop(state, i));
  }

  async stop(): Promise<LoadStats> {
    this.running = false;
    await Promise.all(this.loops);
    this.stoppedAt = Date.now();
    return this.stats();
  }

  get count(): number {
    return this.acknowledged.size;
  }

  stats(): LoadStats {
    return {
      nodes: this.region.states.length,
      ratePerNode: this.ratePerNode,
      acknowledged: this.acknowledged.size,
      seconds: ((this.stoppedAt || Date.now()) - this.startedAt) / 1000,
      retries: this.retries,
      slowestPostMs: this.slowest,
    };
  }

  /** Resolves once at least `n` more records have been acknowledged. */
  async more(n: number): Promise<void> {
    const target = this.acknowledged.size + n;
    await waitFor(() => this.acknowledged.size >= target, { timeoutMs: 120_000, intervalMs: 50, what: `${n} more acknowledged records` });
  }

  private async loop(state: string, seed: number): Promise<void> {
    const records = generateMovements({
      seed: 1000 + seed,
      from: '2026-03-01',
      to: '2026-12-31',
      scale: 0.2,
      providers: [state],
      recordIdPrefix: `F${this.region.suffix}-`,
      withPersonalData: false,
    });
    const perBatch = Math.max(1, Math.round((this.ratePerNode * this.intervalMs) / 1000));
    while (this.running) {
      const tick = Date.now();
      const batch: SyntheticMovement[] = [];
      for (let i = 0; i < perBatch; i++) {
        const next = records.next();
        if (next.done) throw new Error('synthetic records ran out');
        batch.push(next.value);
      }
      for (;;) {
        const node = this.region.node(state);
        const t0 = Date.now();
        try {
          const answer = await postMovements(node.url, batch.map(toRawMovement), this.region.ingest(state));
          this.slowest = Math.max(this.slowest, Date.now() - t0);
          answer.results.forEach((r, j) => this.acknowledged.set(r.eventId, batch[j]));
          break;
        } catch {
          this.retries += 1;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      const wait = this.intervalMs - (Date.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}

const routeOf = (m: SyntheticMovement) => `${m.departedFrom ?? 'ZZ'}>${m.provider}>${m.intendedDestination ?? 'ZZ'}`;

export function expectedByRouteAndCategory(records: Iterable<SyntheticMovement>) {
  const counts = new Map<string, number>();
  for (const m of records) {
    const key = `${routeOf(m)}|${m.category}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key}|${count}`).sort();
}

export interface ExactnessReport {
  acknowledged: number;
  projected: number;
  flowTotal: number;
  missing: number;
  unexpected: number;
}

/**
 * The check every fault test ends with: waits until the regional log holds as many movements as
 * were acknowledged (plus `extra` event ids expected from elsewhere), then compares event ids one
 * by one (nothing missing, nothing that no node acknowledged), the total of the flow projection,
 * and the projection grouped by route and category against the records themselves.
 */
export async function checkExactlyAcknowledged(
  region: RunningRegion,
  acknowledged: Map<string, SyntheticMovement>,
  extra: Map<string, SyntheticMovement> = new Map(),
): Promise<ExactnessReport> {
  const expected = new Map([...acknowledged, ...extra]);
  await waitProjected(region, expected.size);
  // Let anything that would (wrongly) come on top arrive: the lag must be zero on every partition.
  await waitFor(async () => (await region.lag()) === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'consumer lag 0' });
  const { rows } = await region.pool.query<{ event_id: string }>(`SELECT event_id FROM regional_events WHERE type = 'MovementRecorded'`);
  const projected = new Set(rows.map((r) => r.event_id));
  const missing = [...expected.keys()].filter((id) => !projected.has(id));
  const unexpected = [...projected].filter((id) => !expected.has(id));
  const { rows: total } = await region.pool.query<{ n: string }>('SELECT coalesce(sum(count), 0) AS n FROM flow_counts');
  // Answers read the latest release: cut one now that everything is in. By day, since a year (or
  // the current month) is not a closed period until it ends; the days are added up here.
  const release = await cutFullRelease(region);
  const flows = await region.get('/v1/flows?from=2026-01-01&to=2026-12-31&granularity=day&groupBy=route,category');
  expect(flows.release).toEqual(release);
  const byRouteAndCategory = new Map<string, number>();
  for (const r of flows.rows as { route: string; category: string; count: number }[]) {
    const key = `${r.route}|${r.category}`;
    byRouteAndCategory.set(key, (byRouteAndCategory.get(key) ?? 0) + r.count);
  }
  const actual = [...byRouteAndCategory].map(([key, count]) => `${key}|${count}`).sort();

  expect({ missing: missing.slice(0, 5), unexpected: unexpected.slice(0, 5) }).toEqual({ missing: [], unexpected: [] });
  expect(projected.size).toBe(expected.size);
  expect(Number(total[0].n)).toBe(expected.size);
  expect(actual).toEqual(expectedByRouteAndCategory(expected.values()));
  return { acknowledged: acknowledged.size, projected: projected.size, flowTotal: Number(total[0].n), missing: missing.length, unexpected: unexpected.length };
}

/** `npm run rebuild` against the region's aggregator database, then the flows must not change. */
export async function checkRebuildMatchesLive(region: RunningRegion): Promise<void> {
  const everything = `/v1/flows?from=2026-01-01&to=2026-12-31&granularity=day&groupBy=${['provider', 'borderCrossingPoint', 'direction', 'route', 'citizenship', 'category', 'sex', 'ageBand'].join(',')}`;
  // Answers read a release: one cut from the live projections, another from the rebuilt ones.
  const before = await cutFullRelease(region);
  const live = await region.get(everything);
  expect(live.release).toEqual(before);
  expect(live.rows.length).toBeGreaterThan(10);
  execFileSync(process.execPath, ['dist/apps/aggregator/src/rebuild.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: region.aggregatorDb, NO_COLOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const after = await cutFullRelease(region);
  const rebuilt = await region.get(everything);
  expect(rebuilt.release).toEqual(after);
  expect(after.id).toBeGreaterThan(before.id);
  // The figures and how they were published must be the same; only the release (its id and cut
  // time, which the disclosure notes also name) differs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a flows answer compared field by field
  const figures = (a: any) => ({
    granularity: a.granularity,
    from: a.from,
    to: a.to,
    rows: a.rows,
    totals: a.totals,
    method: a.disclosure.method,
    leftOut: a.disclosure.leftOut,
  });
  expect(figures(rebuilt)).toEqual(figures(live));
}

export function summary(fault: string, load: LoadStats, recoveryMs: number, report: ExactnessReport, more = ''): string {
  const line =
    `FAULT ${fault}: load ${load.nodes} nodes, ${(load.acknowledged / load.seconds).toFixed(0)} movements/s acknowledged ` +
    `(target ${load.nodes * load.ratePerNode}/s) for ${load.seconds.toFixed(0)} s ` +
    `(${load.acknowledged} acknowledged, ${load.retries} re-posts, slowest POST ${load.slowestPostMs} ms); ` +
    `recovery ${(recoveryMs / 1000).toFixed(1)} s; regional log ${report.projected}, flow total ${report.flowTotal}, ` +
    `missing ${report.missing}, unexpected ${report.unexpected}${more ? `; ${more}` : ''}`;
  console.log(line);
  return line;
}
