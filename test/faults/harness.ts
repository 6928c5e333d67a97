import { assertTestDatabase, ensureDatabase } from '@caravanserai/database';
import { createKafka } from '@caravanserai/messaging';
import { generateMovements, grantAgreement, OPEN_TERMS, postMovements, SyntheticMovement, toRawMovement } from '@caravanserai/synthetic';
import { bearer, dropTestDatabase, freshTestDatabase, issueKey, portBlock, ServiceProcess, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Pool } from 'pg';

/**
 * What the fault tests share: the three-broker cluster (deploy/kafka/kafka-cluster.sh, never the
 * shared single broker), a pipeline of built services as processes (two national nodes and an
 * aggregator) on throw-away databases and their own topic prefix and consumer group, a steady
 * load that remembers every record a node acknowledged, and the final check that the regional
 * projections hold exactly those records.
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

export interface PipelineOptions {
  name: string;
  states?: string[];
  partitions?: number;
  aggregatorEnv?: Record<string, string>;
  /** Where the throw-away databases go (default: the shared server, TEST_PG_BASE). */
  pgBase?: string;
}

async function freshDatabase(base: string | undefined, purpose: string): Promise<string> {
  if (!base) return freshTestDatabase(purpose);
  const name = `test_${purpose}_${uniqueSuffix()}`.toLowerCase();
  assertTestDatabase(name);
  await ensureDatabase(`${base}/${name}`);
  return `${base}/${name}`;
}

export class Pipeline {
  readonly suffix = uniqueSuffix();
  readonly prefix: string;
  readonly group: string;
  readonly topic: string;
  readonly states: string[];
  readonly databases: string[] = [];
  readonly nodes = new Map<string, ServiceProcess>();
  aggregator!: ServiceProcess;
  aggregatorDb!: string;
  pool!: Pool;
  /** Authorization headers: the secretariat's and the admin's at the aggregator; each node's
   * ingest key and admin key (docs/authentication.md). */
  readonly keys = {
    secretariat: {} as Record<string, string>,
    admin: {} as Record<string, string>,
    ingest: new Map<string, Record<string, string>>(),
    nodeAdmin: new Map<string, Record<string, string>>(),
  };
  private readonly basePort = portBlock();
  private readonly common: Record<string, string>;

  constructor(private readonly options: PipelineOptions) {
    this.prefix = `faults-${options.name}-${this.suffix}.`;
    this.group = `faults-${options.name}-${this.suffix}`;
    this.topic = `${this.prefix}movements.v1`;
    this.states = options.states ?? ['AF', 'IR'];
    this.common = {
      KAFKA_BROKERS: cluster.bootstrap(),
      TOPIC_PREFIX: this.prefix,
      TOPIC_REPLICATION_FACTOR: '3',
      MOVEMENTS_PARTITIONS: String(options.partitions ?? 6),
      LOG_LEVEL: 'log',
      OUTBOX_IDLE_MS: '100',
      ...testSigningKeys().aggregatorEnv(),
    };
  }

  async start(): Promise<void> {
    this.aggregatorDb = await freshDatabase(this.options.pgBase, `faults_${this.options.name}_agg`);
    this.databases.push(this.aggregatorDb);
    this.pool = new Pool({ connectionString: this.aggregatorDb, max: 2 });
    // An idle connection lost when PostgreSQL restarts (fault 4) must not crash the test.
    this.pool.on('error', () => undefined);
    this.keys.secretariat = bearer(await issueKey(this.aggregatorDb, 'aggregator', 'secretariat', 'reader'));
    this.keys.admin = bearer(await issueKey(this.aggregatorDb, 'aggregator', 'admin', 'admin'));
    await this.startAggregator();
    await Promise.all(
      this.states.map(async (state, i) => {
        const db = await freshDatabase(this.options.pgBase, `faults_${this.options.name}_${state}`);
        this.databases.push(db);
        this.keys.ingest.set(state, bearer(await issueKey(db, 'node', `state:${state}`, 'ingest')));
        this.keys.nodeAdmin.set(state, bearer(await issueKey(db, 'node', 'admin', 'admin')));
        const node = await ServiceProcess.start(
          `faults-${this.options.name}-node-${state}`,
          'dist/apps/national-node/src/main.js',
          { ...this.common, NODE_STATE: state, ...testSigningKeys().nodeEnv(state), DATABASE_URL: db },
          this.basePort + 10 + i,
        );
        this.nodes.set(state, node);
        // The secretariat may see everything at the finest level: the checks compare exact counts.
        await grantAgreement(node.url, { ...OPEN_TERMS, recipient: 'secretariat' }, this.keys.nodeAdmin.get(state));
      }),
    );
  }

  aggregatorEnv(): Record<string, string> {
    return {
      ...this.common,
      DATABASE_URL: this.aggregatorDb,
      CONSUMER_GROUP: this.group,
      // A SIGKILLed instance's partitions are handed over after this, instead of 30 s.
      CONSUMER_SESSION_TIMEOUT_MS: '8000',
      ...this.options.aggregatorEnv,
    };
  }

  async startAggregator(port = this.basePort): Promise<ServiceProcess> {
    this.aggregator = await ServiceProcess.start(`faults-${this.options.name}-aggregator`, 'dist/apps/aggregator/src/main.js', this.aggregatorEnv(), port);
    return this.aggregator;
  }

  /** Another aggregator instance in the same group on the same database. */
  async startSecondAggregator(): Promise<ServiceProcess> {
    const second = await ServiceProcess.start(`faults-${this.options.name}-aggregator-2`, 'dist/apps/aggregator/src/main.js', this.aggregatorEnv(), this.basePort + 1);
    this.extra.push(second);
    return second;
  }

  private readonly extra: ServiceProcess[] = [];

  async stop(): Promise<void> {
    await Promise.all([this.aggregator?.stop(), ...this.extra.map((s) => s.stop()), ...[...this.nodes.values()].map((n) => n.stop())]);
    await this.pool?.end();
    for (const db of this.databases) await dropTestDatabase(db).catch(() => undefined);
  }

  /** Movements in the regional log (each event id is unique there by constraint). */
  async projectedEvents(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM regional_events WHERE type = 'MovementRecorded'`);
    return Number(rows[0].n);
  }

  /** Waits until `n` movements are in the regional log; returns how long that took. */
  async waitProjected(n: number, timeoutMs = 180_000): Promise<number> {
    const t0 = Date.now();
    await waitFor(async () => (await this.projectedEvents()) >= n, { timeoutMs, intervalMs: 200, what: `${n} movements in the regional log` });
    return Date.now() - t0;
  }

  /** A GET at the aggregator as the secretariat (answers), or as its admin (/v1/nodes: lag and
   * event counts per partition are the operator's, not a reader's). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string, as: 'secretariat' | 'admin' = 'secretariat'): Promise<any> {
    const res = await fetch(`${this.aggregator.url}${path}`, { headers: this.keys[as] });
    return res.json();
  }

  /** An answer (GET /v1/flows...) as the secretariat; a refusal fails the test with its reason. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async answer(path: string): Promise<any> {
    const res = await fetch(`${this.aggregator.url}${path}`, { headers: this.keys.secretariat });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /**
   * Cuts a release with the aggregator's admin key (answers read only the latest release), holding
   * every day up to yesterday (UTC), the latest a release may hold. The fault tests' data end
   * before that (2026-03 onwards at a few hundred records a second: well before December), which
   * is checked here, so that a release holds every projected record and answers stay comparable
   * with what was acknowledged.
   */
  async cutRelease(): Promise<{ id: number; cutAt: string; dataUntil: string }> {
    const now = new Date();
    const dataUntil = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
    const { rows } = await this.pool.query<{ last: string | null }>(`SELECT to_char(max(day), 'YYYY-MM-DD') AS last FROM flow_counts WHERE count <> 0`);
    if (rows[0].last !== null && rows[0].last > dataUntil) {
      throw new Error(`projected data reach ${rows[0].last}, after ${dataUntil}: a release could not hold them all`);
    }
    const res = await fetch(`${this.aggregator.url}/v1/releases`, {
      method: 'POST',
      headers: { ...this.keys.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ dataUntil, reason: 'fault test check' }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/releases: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number; cutAt: string; dataUntil: string };
  }
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
    private readonly pipeline: Pipeline,
    private readonly ratePerNode = 100,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.running = true;
    this.startedAt = Date.now();
    this.loops = this.pipeline.states.map((state, i) => this.loop(state, i));
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
      nodes: this.pipeline.states.length,
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
      recordIdPrefix: `F${this.pipeline.suffix}-`,
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
        const node = this.pipeline.nodes.get(state)!;
        const t0 = Date.now();
        try {
          const answer = await postMovements(node.url, batch.map(toRawMovement), this.pipeline.keys.ingest.get(state));
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
  pipeline: Pipeline,
  acknowledged: Map<string, SyntheticMovement>,
  extra: Map<string, SyntheticMovement> = new Map(),
): Promise<ExactnessReport> {
  const expected = new Map([...acknowledged, ...extra]);
  await pipeline.waitProjected(expected.size);
  // Let anything that would (wrongly) come on top arrive: the lag must be zero on every partition.
  await waitFor(async () => (await pipeline.get('/v1/nodes', 'admin')).lag.total === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'consumer lag 0' });
  const { rows } = await pipeline.pool.query<{ event_id: string }>(`SELECT event_id FROM regional_events WHERE type = 'MovementRecorded'`);
  const projected = new Set(rows.map((r) => r.event_id));
  const missing = [...expected.keys()].filter((id) => !projected.has(id));
  const unexpected = [...projected].filter((id) => !expected.has(id));
  const { rows: total } = await pipeline.pool.query<{ n: string }>('SELECT coalesce(sum(count), 0) AS n FROM flow_counts');
  // Answers read the latest release: cut one now that everything is in. By day, since a year (or
  // the current month) is not a closed period until it ends; the days are added up here.
  const release = await pipeline.cutRelease();
  const flows = await pipeline.answer('/v1/flows?from=2026-01-01&to=2026-12-31&granularity=day&groupBy=route,category');
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

/** `npm run rebuild` against the pipeline's aggregator database, then the flows must not change. */
export async function checkRebuildMatchesLive(pipeline: Pipeline): Promise<void> {
  const everything = `/v1/flows?from=2026-01-01&to=2026-12-31&granularity=day&groupBy=${['provider', 'borderCrossingPoint', 'direction', 'route', 'citizenship', 'category', 'sex', 'ageBand'].join(',')}`;
  // Answers read a release: one cut from the live projections, another from the rebuilt ones.
  const before = await pipeline.cutRelease();
  const live = await pipeline.answer(everything);
  expect(live.release).toEqual(before);
  expect(live.rows.length).toBeGreaterThan(10);
  execFileSync(process.execPath, ['dist/apps/aggregator/src/rebuild.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: pipeline.aggregatorDb, NO_COLOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const after = await pipeline.cutRelease();
  const rebuilt = await pipeline.answer(everything);
  expect(rebuilt.release).toEqual(after);
  expect(after.id).toBeGreaterThan(before.id);
  // The figures and how they were published must be the same; only the release (its id and cut
  // time, which the disclosure notes also name) differs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const figures = (a: any) => ({ granularity: a.granularity, from: a.from, to: a.to, rows: a.rows, totals: a.totals, method: a.disclosure.method, leftOut: a.disclosure.leftOut });
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
