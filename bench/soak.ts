/**
 * `npm run soak [-- flags]`: the demo's region (the aggregator and six national nodes, each its own
 * process, on databases of its own and a topic prefix of its own) under a steady load for
 * `--minutes`, with a Kafka broker restart and an aggregator restart (SIGTERM, start again on the
 * same database) along the way. It samples the resident memory of every service, the consumer lag
 * and the nodes' outboxes, and at the end, once nothing is left in flight, checks that every record
 * a node acknowledged is counted exactly once: in the aggregator's regional_events (by event id),
 * in its flow projection, and in the secretariat's answer after a release under k = 1 grants.
 * Outside CI; see docs/operations.md "Soak".
 *
 * Flags: --minutes 30 · --rate 25 (records/s per node) · --interval-ms 1000 (one batch per node
 * per interval) · --states AF,IR,PK,TR,TM,KZ · --sample-seconds 10 · --broker-restart-at 0.33 and
 * --aggregator-restart-at 0.66 (fractions of the run; a negative value skips it) · --port-base 4200 ·
 * --drain-minutes 10 · --keep (leave the soak_ databases and the topics).
 *
 * The broker restart runs `deploy/kafka/kafka.sh restart`, which finds the broker through its pid
 * file under KAFKA_HOME_DIR (default <repo>/.kafka): set KAFKA_HOME_DIR to the directory of the
 * broker that is running. Every other client of that broker sees it go away for a few seconds.
 */
import { TOPICS, topicName } from '@caravanserai/contracts';
import { issueKey } from '@caravanserai/credentials';
import { generateSigningKeyPair } from '@caravanserai/crypto';
import { resolveDatabaseUrl } from '@caravanserai/database';
import { generateMovements, grantAgreement, OPEN_TERMS, postMovements, RawMovementLike, toRawMovement } from '@caravanserai/synthetic';
import { Kafka, logLevel } from 'kafkajs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { consumerLag } from '../apps/aggregator/src/nodes/consumer-lag';
import { loadavg, procStats, ROOT, run, Service, sleep, withClient } from './lib';

// ---------- options ----------
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string): string | undefined => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
};
const num = (name: string, dflt: number) => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
};
const opts = {
  minutes: num('minutes', 30),
  rate: num('rate', 25),
  intervalMs: num('interval-ms', 1000),
  states: (opt('states') ?? 'AF,IR,PK,TR,TM,KZ').split(',').map((s) => s.trim().toUpperCase()),
  sampleSeconds: num('sample-seconds', 10),
  brokerRestartAt: num('broker-restart-at', 0.33),
  aggregatorRestartAt: num('aggregator-restart-at', 0.66),
  portBase: num('port-base', 4200),
  drainMinutes: num('drain-minutes', 10),
  keep: flag('keep'),
  seed: num('seed', 15),
};

const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const tag = runId.replace('-', '_').toLowerCase();
const resultsDir = join(ROOT, 'bench', 'results');
const workDir = join(resultsDir, `soak-${runId}`);
mkdirSync(workDir, { recursive: true });
const prefix = `soak-${runId}.`;
const group = `soak-${runId}-aggregator`;
const dbUrl = (name: string) => resolveDatabaseUrl({ ...process.env, DATABASE_URL: undefined }, name);
const adminUrl = dbUrl('postgres');
const DB = { agg: `soak_${tag}_agg`, node: (s: string) => `soak_${tag}_node_${s.toLowerCase()}` };
const BROKERS = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`).split(',');
const KAFKA_SH = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
const KAFKA_HOME = process.env.KAFKA_HOME_DIR ?? join(ROOT, '.kafka');
const topics = [TOPICS.movements, TOPICS.agreements, TOPICS.referrals].map((t) => topicName(t, prefix));
const DATA = { from: '2025-01-01', to: '2025-12-31' };
/** Yearly movements of each provider at scale 1 (as in bench.ts), to size the generator. */
const YEARLY: Record<string, number> = { AF: 2_367_478, IR: 1_624_961, PK: 581_193, KZ: 455_776, TR: 128_501, CN: 72_845, AZ: 55_196, TM: 39_871, KG: 21_771 };

const t00 = Date.now();
const elapsed = () => (Date.now() - t00) / 1000;
const log = (m: string) => console.log(`[soak ${fmtDuration(elapsed())}] ${m}`);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
function fmtDuration(s: number) {
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

// ---------- the region ----------
const signing = (() => {
  const keys = opts.states.map((state) => ({ state, keyId: `${state.toLowerCase()}-soak`, pair: generateSigningKeyPair() }));
  const trustFile = join(workDir, 'trusted-node-keys.json');
  writeFileSync(trustFile, JSON.stringify({ keys: keys.map((k) => ({ keyId: k.keyId, state: k.state, publicKey: k.pair.publicKeyPem, status: 'active' })) }));
  const node = new Map(
    keys.map((k) => {
      const file = join(workDir, `${k.keyId}.pem`);
      writeFileSync(file, k.pair.privateKeyPem, { mode: 0o600 });
      return [k.state, { NODE_SIGNING_KEY_FILE: file, NODE_SIGNING_KEY_ID: k.keyId }];
    }),
  );
  return { node, trustFile };
})();
// Steady load, not a rate-limit test: the per-caller limit is lifted as in the demo.
const common = { KAFKA_BROKERS: BROKERS.join(','), TOPIC_PREFIX: prefix, RATE_LIMIT_MAX: '100000000' };
const aggPort = opts.portBase;
const nodePort = (i: number) => opts.portBase + 1 + i;

async function createDatabase(name: string) {
  if (!name.startsWith('soak_')) throw new Error(`refusing to touch ${name}`);
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
}
async function dropDatabase(name: string) {
  if (!name.startsWith('soak_')) return;
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

let aggregatorRun = 0;
async function startAggregator(): Promise<Service> {
  aggregatorRun++;
  return Service.start(
    `aggregator-${aggregatorRun}`,
    'dist/apps/aggregator/src/main.js',
    { ...common, TRUSTED_NODE_KEYS_FILE: signing.trustFile, DATABASE_URL: dbUrl(DB.agg), CONSUMER_GROUP: group },
    aggPort,
    workDir,
  );
}
function startNode(state: string, i: number): Promise<Service> {
  return Service.start(
    `node-${state}`,
    'apps/national-node/start.sh',
    { ...common, ...signing.node.get(state)!, NODE_STATE: state, DATABASE_URL: dbUrl(DB.node(state)) },
    nodePort(i),
    workDir,
  );
}
const bearer = async (url: string, service: 'node' | 'aggregator', principal: string, role: string) => ({
  authorization: `Bearer ${(await issueKey(url, service, { principal, role, label: 'soak', expiresAt: new Date(Date.now() + 2 * 86_400_000) })).key}`,
});

// ---------- the load ----------
/** Endless raw records of one provider over 2025 (a new pass, with its own record ids, if a run
 * outlasts the year at this scale). */
function* recordsOf(state: string, needed: number): Generator<RawMovementLike> {
  const scale = (needed / (YEARLY[state] ?? 50_000)) * 1.2;
  for (let pass = 1; ; pass++) {
    for (const m of generateMovements({ seed: opts.seed + pass, ...DATA, scale, providers: [state], recordIdPrefix: `SOAK-${runId}-${pass}-` }))
      yield toRawMovement(m);
  }
}

interface NodeLoad {
  state: string;
  url: string;
  ingest: Record<string, string>;
  /** recordId -> eventId, as the node acknowledged. */
  acked: Map<string, string>;
  posts: number;
  errors: number;
  lastError?: string;
  /** The same record id acknowledged with another event id (must stay 0). */
  conflicting: number;
  postMs: number[];
}

async function loadNode(n: NodeLoad, until: () => boolean): Promise<void> {
  const needed = Math.ceil(opts.rate * opts.minutes * 60 * 1.1);
  const source = recordsOf(n.state, needed);
  const perBatch = (opts.rate * opts.intervalMs) / 1000;
  let owed = 0;
  let next = Date.now();
  while (!until()) {
    owed += perBatch;
    const size = Math.floor(owed);
    owed -= size;
    if (size > 0) {
      const batch: RawMovementLike[] = [];
      for (let i = 0; i < size; i++) batch.push(source.next().value as RawMovementLike);
      // Retried until acknowledged: the node deduplicates by record id and answers with the same event id.
      for (let attempt = 0; ; attempt++) {
        const t0 = Date.now();
        try {
          const answer = await postMovements(n.url, batch, n.ingest);
          n.postMs.push(Date.now() - t0);
          n.posts++;
          for (const r of answer.results) {
            const before = n.acked.get(r.recordId);
            if (before !== undefined && before !== r.eventId) n.conflicting++;
            n.acked.set(r.recordId, r.eventId);
          }
          break;
        } catch (e) {
          n.errors++;
          n.lastError = e instanceof Error ? e.message : String(e);
          if (attempt % 10 === 0) log(`node ${n.state}: post failed (${n.lastError.slice(0, 200)}); retrying`);
          await sleep(1000);
        }
      }
    }
    next += opts.intervalMs;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -10 * opts.intervalMs) next = Date.now(); // far behind: do not burst to catch up
  }
}

// ---------- sampling ----------
interface Sample {
  t: number;
  load1: number;
  rssMiB: Record<string, number>;
  cpuSeconds: Record<string, number>;
  brokerRssMiB: number | null;
  /** The broker's pid (from its pid file): a change is a restart, the soak's own or another client's. */
  brokerPid: number | null;
  lag: number | null;
  lagSource: 'v1/nodes' | 'direct' | 'unreachable';
  outbox: Record<string, number | null>;
  acked: number;
}
interface RegionEvent {
  what: string;
  at: number;
  seconds: number;
  detail?: string;
  /** Seconds from the start of the event until the region's backlog (outboxes + lag) was back under the threshold. */
  recoveredAfter?: number | null;
}

function broker(): { brokerPid: number | null; brokerRssMiB: number | null } {
  let pid: number | null = null;
  try {
    pid = Number(readFileSync(join(KAFKA_HOME, 'kafka.pid'), 'utf8').trim()) || null;
    return { brokerPid: pid, brokerRssMiB: round(procStats(pid!).rssMiB, 1) };
  } catch {
    return { brokerPid: pid, brokerRssMiB: null };
  }
}

// ---------- main ----------
async function main() {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: round(totalmem() / 2 ** 30, 1), node: process.version };
  log(
    `run ${runId}: ${opts.states.join(', ')} at ${opts.rate} records/s per node for ${opts.minutes} min; topics ${prefix}*, databases soak_${tag}_*, logs ${workDir}`,
  );
  const pg = await run('pg_isready', ['-q', '-h', process.env.PGHOST ?? '127.0.0.1', '-p', process.env.PGPORT ?? '5432']);
  if (pg.code !== 0) throw new Error('PostgreSQL does not answer');
  // The broker restart needs the pid file of the running broker: refuse now rather than half-way.
  const status = await run('bash', [KAFKA_SH, 'status'], { KAFKA_HOME_DIR: KAFKA_HOME });
  if (status.code !== 0) throw new Error(`Kafka does not answer on ${BROKERS.join(',')} (bash deploy/kafka/kafka.sh start)`);
  if (opts.brokerRestartAt >= 0 && !/running \(pid/.test(status.stdout + status.stderr)) {
    throw new Error(`the broker on ${BROKERS.join(',')} was not started from ${KAFKA_HOME}: set KAFKA_HOME_DIR to its directory (or --broker-restart-at -1)`);
  }

  const services = new Map<string, Service>();
  const pools: Pool[] = [];
  const kafka = new Kafka({ clientId: `soak-${runId}`, brokers: BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  let aggregator: Service | null = null;
  const loads: NodeLoad[] = [];
  const samples: Sample[] = [];
  const events: RegionEvent[] = [];
  const result: Record<string, unknown> = {
    runId,
    options: opts,
    machine,
    startedAt: new Date().toISOString(),
    topicPrefix: prefix,
    databases: [DB.agg, ...opts.states.map(DB.node)],
  };
  const resultFile = join(resultsDir, `soak-${runId}.json`);
  let failed: string | null = null;

  try {
    // 1. The region.
    await createDatabase(DB.agg);
    for (const s of opts.states) await createDatabase(DB.node(s));
    aggregator = await startAggregator();
    log(`aggregator up on :${aggPort}`);
    for (const [i, state] of opts.states.entries()) {
      services.set(state, await startNode(state, i));
      log(`node ${state} up on :${nodePort(i)}`);
    }
    const aggPool = new Pool({ connectionString: dbUrl(DB.agg), max: 2 });
    pools.push(aggPool);
    const nodePools = new Map(opts.states.map((s) => [s, new Pool({ connectionString: dbUrl(DB.node(s)), max: 1 })]));
    pools.push(...nodePools.values());
    const aggAdmin = await bearer(dbUrl(DB.agg), 'aggregator', 'admin', 'admin');
    const secretariat = await bearer(dbUrl(DB.agg), 'aggregator', 'secretariat', 'reader');
    for (const [i, state] of opts.states.entries()) {
      const url = `http://127.0.0.1:${nodePort(i)}`;
      // Open terms (k = 1) for the secretariat: its answer is then exact and comparable with the acknowledgements.
      await grantAgreement(url, { ...OPEN_TERMS, recipient: 'secretariat' }, await bearer(dbUrl(DB.node(state)), 'node', 'admin', 'admin'));
      loads.push({
        state,
        url,
        ingest: await bearer(dbUrl(DB.node(state)), 'node', `state:${state}`, 'ingest'),
        acked: new Map(),
        posts: 0,
        errors: 0,
        conflicting: 0,
        postMs: [],
      });
    }
    log('keys issued; each node granted the secretariat open terms (k = 1)');

    // 2. Sampling.
    const procs = () => {
      const m = new Map<string, Service>([...services]);
      if (aggregator) m.set('aggregator', aggregator);
      return m;
    };
    const directLag = async () => (await consumerLag(aggPool, kafka, group, topics)).total;
    const sample = async (): Promise<Sample> => {
      const rssMiB: Record<string, number> = {};
      const cpuSeconds: Record<string, number> = {};
      for (const [name, svc] of procs()) {
        try {
          const st = svc.stats();
          rssMiB[name] = round(st.rssMiB, 1);
          cpuSeconds[name] = round(st.cpuSeconds, 1);
        } catch {
          /* between the stop and the start of a restart */
        }
      }
      let lag: number | null = null;
      let lagSource: Sample['lagSource'] = 'unreachable';
      try {
        const res = await fetch(`http://127.0.0.1:${aggPort}/v1/nodes`, { headers: aggAdmin, signal: AbortSignal.timeout(5000) });
        if (res.ok) {
          const body = (await res.json()) as { lag: { total: number | null } };
          if (body.lag.total !== null) [lag, lagSource] = [body.lag.total, 'v1/nodes'];
        }
      } catch {
        /* the aggregator is restarting */
      }
      if (lag === null) {
        lag = await directLag().catch(() => null);
        if (lag !== null) lagSource = 'direct';
      }
      const outbox: Record<string, number | null> = {};
      for (const [s, p] of nodePools)
        outbox[s] = await p.query('SELECT count(*)::int AS n FROM outbox').then(
          (r) => r.rows[0].n as number,
          () => null,
        );
      const s: Sample = {
        t: round(elapsed(), 1),
        load1: loadavg()[0],
        rssMiB,
        cpuSeconds,
        ...broker(),
        lag,
        lagSource,
        outbox,
        acked: loads.reduce((a, n) => a + n.acked.size, 0),
      };
      samples.push(s);
      return s;
    };
    const regionRate = opts.rate * opts.states.length;
    const recoveredUnder = Math.max(20, 2 * regionRate); // about two seconds of the region's load
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const t0 = Date.now();
        const s = await sample().catch((e) => (log(`sample failed: ${(e as Error).message}`), null));
        if (s && samples.length % 6 === 1) {
          log(
            `acked ${s.acked} · lag ${s.lag ?? '?'} (${s.lagSource}) · outboxes ${Object.values(s.outbox).reduce<number>((a, b) => a + (b ?? 0), 0)} · RSS ${Object.entries(
              s.rssMiB,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')} MiB · load ${s.load1}`,
          );
        }
        await sleep(Math.max(0, opts.sampleSeconds * 1000 - (Date.now() - t0)));
      }
    })();
    /** Seconds from `since` until the backlog is under the threshold (sampled once a second). */
    const waitRecovered = async (since: number, timeoutS = 600): Promise<number | null> => {
      const deadline = Date.now() + timeoutS * 1000;
      while (Date.now() < deadline) {
        const lag = await directLag().catch(() => null);
        let outboxes = 0;
        for (const p of nodePools.values()) outboxes += await p.query('SELECT count(*)::int AS n FROM outbox').then((r) => r.rows[0].n as number);
        if (lag !== null && lag + outboxes <= recoveredUnder) return round((Date.now() - since) / 1000, 1);
        await sleep(1000);
      }
      return null;
    };

    // 3. The load, with the two restarts along the way.
    const loadStarts = Date.now();
    const loadEnds = loadStarts + opts.minutes * 60_000;
    const stopLoad = () => Date.now() >= loadEnds;
    const loaders = loads.map((n) => loadNode(n, stopLoad));
    await sleep(Math.min(30_000, opts.minutes * 6000));
    const first = await sample();
    log(`steady load: ${regionRate} records/s over ${opts.states.length} nodes`);
    result.startSample = first;

    const plan = [
      { at: opts.brokerRestartAt, what: 'broker restart' },
      { at: opts.aggregatorRestartAt, what: 'aggregator restart' },
    ]
      .filter((p) => p.at >= 0)
      .sort((a, b) => a.at - b.at);
    for (const step of plan) {
      const when = loadStarts + step.at * opts.minutes * 60_000;
      if (when > Date.now()) await sleep(when - Date.now());
      const t0 = Date.now();
      log(`${step.what}…`);
      if (step.what === 'broker restart') {
        const r = await run('bash', [KAFKA_SH, 'restart'], { KAFKA_HOME_DIR: KAFKA_HOME });
        const seconds = round((Date.now() - t0) / 1000, 1);
        if (r.code !== 0) throw new Error(`kafka.sh restart failed (${r.code}): ${(r.stderr || r.stdout).slice(-1000)}`);
        const ev: RegionEvent = {
          what: step.what,
          at: round((t0 - t00) / 1000, 1),
          seconds,
          detail: (r.stdout + r.stderr)
            .trim()
            .split('\n')
            .filter((l) => /stopped|ready/.test(l))
            .join('; '),
        };
        events.push(ev);
        log(`broker back after ${seconds} s`);
        ev.recoveredAfter = await waitRecovered(t0);
      } else {
        const old = aggregator!;
        aggregator = null;
        await old.stop();
        const stopped = round((Date.now() - t0) / 1000, 1);
        const exit = old.child.exitCode !== null ? `exit code ${old.child.exitCode}` : `signal ${old.child.signalCode}`;
        // Healthy within Service.start's minute, else once more (the shared broker may be restarting too).
        aggregator = await startAggregator().catch((e) => {
          log(`aggregator did not come back within a minute (${(e as Error).message.slice(0, 200)}); starting it once more`);
          return startAggregator();
        });
        const seconds = round((Date.now() - t0) / 1000, 1);
        const ev: RegionEvent = {
          what: step.what,
          at: round((t0 - t00) / 1000, 1),
          seconds,
          detail: `SIGTERM: stopped in ${stopped} s (${exit}); healthy again ${seconds} s after the SIGTERM`,
        };
        events.push(ev);
        log(`aggregator: ${ev.detail}`);
        ev.recoveredAfter = await waitRecovered(t0);
      }
      log(`${step.what}: backlog back under ${recoveredUnder} after ${events[events.length - 1].recoveredAfter ?? 'never (timed out)'} s`);
    }
    await Promise.all(loaders);
    const loadSeconds = round((Date.now() - loadStarts) / 1000, 1);
    log(`load stopped: ${loads.reduce((a, n) => a + n.acked.size, 0)} records acknowledged`);

    // 4. Drain: every outbox empty and no lag, twice in a row.
    const drainStart = Date.now();
    let quiet = 0;
    while (quiet < 2) {
      if (Date.now() - drainStart > opts.drainMinutes * 60_000) throw new Error(`not drained after ${opts.drainMinutes} min`);
      const lag = await directLag().catch(() => null);
      let outboxes = 0;
      for (const p of nodePools.values()) outboxes += await p.query('SELECT count(*)::int AS n FROM outbox').then((r) => r.rows[0].n as number);
      quiet = lag === 0 && outboxes === 0 ? quiet + 1 : 0;
      await sleep(1000);
    }
    const drainSeconds = round((Date.now() - drainStart) / 1000, 1);
    const last = await sample();
    sampling = false;
    await sampler;
    log(`drained in ${drainSeconds} s`);

    // 5. Exactly once.
    const ackedTotal = loads.reduce((a, n) => a + n.acked.size, 0);
    const ackedBy = Object.fromEntries(loads.map((n) => [n.state, n.acked.size]));
    const regional = await withClient(dbUrl(DB.agg), async (c) => {
      await c.query('CREATE TEMP TABLE acked (event_id uuid PRIMARY KEY, provider char(2) NOT NULL)');
      for (const n of loads) {
        const ids = [...n.acked.values()];
        for (let i = 0; i < ids.length; i += 20_000) {
          await c.query('INSERT INTO acked SELECT unnest($1::uuid[]), $2', [ids.slice(i, i + 20_000), n.state]);
        }
      }
      const one = async (sql: string) => Number((await c.query(sql)).rows[0].n);
      const byProvider = async (sql: string) => Object.fromEntries((await c.query(sql)).rows.map((r) => [r.provider.trim(), Number(r.n)]));
      return {
        ackedEventIds: await one('SELECT count(*) AS n FROM acked'),
        missing: await one('SELECT count(*) AS n FROM acked a WHERE NOT EXISTS (SELECT 1 FROM regional_events r WHERE r.event_id = a.event_id)'),
        wrongProvider: await one('SELECT count(*) AS n FROM acked a JOIN regional_events r USING (event_id) WHERE r.provider <> a.provider'),
        unacknowledged: await one(
          "SELECT count(*) AS n FROM regional_events r WHERE r.type LIKE 'Movement%' AND NOT EXISTS (SELECT 1 FROM acked a WHERE a.event_id = r.event_id)",
        ),
        movementEvents: await one("SELECT count(*) AS n FROM regional_events WHERE type LIKE 'Movement%'"),
        quarantined: await one('SELECT count(*) AS n FROM quarantine'),
        flowCounts: await byProvider('SELECT provider, sum(count) AS n FROM flow_counts GROUP BY provider'),
      };
    });
    const nodeEvents: Record<string, number> = {};
    for (const [s, p] of nodePools) nodeEvents[s] = Number((await p.query("SELECT count(*) AS n FROM events WHERE type LIKE 'Movement%'")).rows[0].n);
    const cut = await fetch(`http://127.0.0.1:${aggPort}/v1/releases`, {
      method: 'POST',
      headers: { ...aggAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'soak' }),
    });
    if (cut.status !== 201) throw new Error(`POST /v1/releases: ${cut.status} ${await cut.text()}`);
    const release = (await cut.json()) as { id: number; dataUntil: string };
    const flowsRes = await fetch(
      `http://127.0.0.1:${aggPort}/v1/flows?from=${DATA.from}&to=${DATA.to}&granularity=month&groupBy=provider&providers=${opts.states.join(',')}`,
      { headers: secretariat },
    );
    if (!flowsRes.ok) throw new Error(`GET /v1/flows: ${flowsRes.status} ${await flowsRes.text()}`);
    const flows = (await flowsRes.json()) as {
      rows: { provider: string; count: number }[];
      totals: { count: number };
      disclosure: { method: { exact: string[] } };
    };
    const answered: Record<string, number> = {};
    for (const r of flows.rows) answered[r.provider] = (answered[r.provider] ?? 0) + r.count;
    const checks = {
      'every acknowledgement names one event id (no record id acknowledged with two)': loads.every((n) => n.conflicting === 0),
      'each node holds exactly the movements it acknowledged': loads.every((n) => nodeEvents[n.state] === n.acked.size),
      'every acknowledged event is in regional_events': regional.missing === 0 && regional.ackedEventIds === ackedTotal,
      'no movement in regional_events that was not acknowledged': regional.unacknowledged === 0 && regional.movementEvents === ackedTotal,
      'each event under the provider that acknowledged it': regional.wrongProvider === 0,
      'the flow projection counts each once': opts.states.every((s) => (regional.flowCounts[s] ?? 0) === ackedBy[s]),
      'the secretariat (k = 1, exact) is answered what was acknowledged':
        flows.totals.count === ackedTotal && opts.states.every((s) => answered[s] === ackedBy[s]),
      'nothing in quarantine': regional.quarantined === 0,
    };
    const exactlyOnce = Object.values(checks).every(Boolean);
    log(
      `exactly once: ${exactlyOnce ? 'yes' : 'NO'} (${ackedTotal} acknowledged, ${regional.movementEvents} in regional_events, ${flows.totals.count} in the secretariat's answer)`,
    );

    // 6. Figures.
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.rssMiB)))];
    const memory = Object.fromEntries(
      names.map((name) => {
        const seen = samples.filter((s) => s.rssMiB[name] !== undefined);
        const atStart = first.rssMiB[name];
        return [
          name,
          { startMiB: atStart, endMiB: last.rssMiB[name], maxMiB: Math.max(...seen.map((s) => s.rssMiB[name])), cpuSeconds: last.cpuSeconds[name] },
        ];
      }),
    );
    const aggregatorPeaks = { 'after restart': aggregator ? round(aggregator.stats().peakRssMiB, 1) : null };
    const brokerSeen = samples.map((s) => s.brokerRssMiB).filter((x): x is number => x !== null);
    // The broker is shared: other clients may restart it too; every pid change is counted.
    const pids = samples.map((s) => s.brokerPid).filter((x): x is number => x !== null);
    const brokerRestartsSeen = pids.filter((p, i) => i > 0 && p !== pids[i - 1]).length;
    const lags = samples.filter((s) => s.lag !== null);
    const maxLag = lags.reduce((m, s) => (s.lag! > m.lag! ? s : m), lags[0]);
    const steady = lags.filter((s) => events.every((e) => s.t < e.at || s.t > e.at + (e.recoveredAfter ?? Infinity)));
    const maxOutbox = samples.reduce((m, s) => Math.max(m, ...Object.values(s.outbox).map((x) => x ?? 0)), 0);
    const allPostMs = loads.flatMap((n) => n.postMs).sort((a, b) => a - b);
    Object.assign(result, {
      finishedAt: new Date().toISOString(),
      loadSeconds,
      drainSeconds,
      acknowledged: { total: ackedTotal, byNode: ackedBy, achievedPerNodePerSecond: round(ackedTotal / opts.states.length / (loadSeconds - 0), 1) },
      posts: {
        total: loads.reduce((a, n) => a + n.posts, 0),
        errors: loads.reduce((a, n) => a + n.errors, 0),
        p50ms: allPostMs[Math.floor(allPostMs.length * 0.5)],
        p99ms: allPostMs[Math.floor(allPostMs.length * 0.99)],
        maxMs: allPostMs[allPostMs.length - 1],
      },
      memory,
      aggregatorPeaks,
      broker: brokerSeen.length
        ? {
            startMiB: brokerSeen[0],
            endMiB: brokerSeen[brokerSeen.length - 1],
            maxMiB: Math.max(...brokerSeen),
            restartsSeen: brokerRestartsSeen,
            bySoak: events.filter((e) => e.what === 'broker restart').length,
          }
        : null,
      lag: {
        max: maxLag?.lag ?? null,
        maxAt: maxLag?.t ?? null,
        maxSteady: steady.length ? Math.max(...steady.map((s) => s.lag!)) : null,
        unmeasured: samples.length - lags.length,
        recoveredUnder,
      },
      maxOutbox,
      load1: { start: first.load1, max: Math.max(...samples.map((s) => s.load1)), end: last.load1 },
      events,
      release,
      verification: {
        acknowledged: ackedTotal,
        nodeEvents,
        regional,
        secretariat: { total: flows.totals.count, byProvider: answered, exact: flows.disclosure.method.exact },
        checks,
        exactlyOnce,
      },
      samples,
    });
  } catch (e) {
    failed = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`FAILED: ${failed}`);
    result.error = failed;
  } finally {
    for (const svc of [aggregator, ...services.values()]) await svc?.stop().catch(() => undefined);
    for (const p of pools) await p.end().catch(() => undefined);
    if (!opts.keep) {
      for (const name of [DB.agg, ...opts.states.map(DB.node)]) await dropDatabase(name).catch((e) => log(`could not drop ${name}: ${(e as Error).message}`));
      const admin = kafka.admin();
      await admin
        .connect()
        .then(async () => {
          const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
          if (mine.length) await admin.deleteTopics({ topics: mine });
        })
        .catch((e) => log(`could not delete the topics ${prefix}*: ${(e as Error).message}`))
        .finally(() => admin.disconnect());
      log(`cleaned up: databases soak_${tag}_*, topics ${prefix}*`);
    } else log(`kept: databases soak_${tag}_*, topics ${prefix}*`);
  }
  writeFileSync(resultFile, JSON.stringify(result, null, 2));
  const md = markdown(result);
  writeFileSync(join(resultsDir, `soak-${runId}.md`), md);
  console.log(`\n${md}`);
  console.log(`results: ${resultFile} and soak-${runId}.md; service logs in ${workDir}`);
  const ok = !failed && (result.verification as { exactlyOnce?: boolean } | undefined)?.exactlyOnce === true;
  process.exit(ok ? 0 : 1);
}

// ---------- report ----------
/** The report of a result as written above (loose JSON, read member by member). */
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the result's JSON, many shapes
function markdown(r: Loose): string {
  const o = r.options as typeof opts;
  const lines = [`# Soak ${r.runId}`, ''];
  lines.push(
    `\`npm run soak -- --minutes ${o.minutes} --rate ${o.rate}\` · ${o.states.length} nodes (${o.states.join(', ')}) + the aggregator · ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memGiB} GiB, Node ${r.machine.node} · started ${r.startedAt}`,
    '',
  );
  if (r.error) lines.push('**FAILED**', '', '```', String(r.error).slice(0, 3000), '```', '');
  if (r.acknowledged) {
    lines.push(
      `Load: ${r.acknowledged.total.toLocaleString('en')} movements acknowledged over ${fmtDuration(r.loadSeconds)} (${r.acknowledged.achievedPerNodePerSecond} records/s per node asked ${o.rate}), ` +
        `${r.posts.total.toLocaleString('en')} posts, ${r.posts.errors} failed and retried; post p50 ${r.posts.p50ms} ms, p99 ${r.posts.p99ms} ms, max ${r.posts.maxMs} ms. Load average (1 min) ${r.load1.start} at the start, ${r.load1.max} at most.`,
      '',
    );
  }
  if (r.events?.length) {
    lines.push('| event | at | took | backlog back under ' + (r.lag?.recoveredUnder ?? '') + ' after | detail |', '|---|---|---|---|---|');
    for (const e of r.events as RegionEvent[])
      lines.push(`| ${e.what} | ${fmtDuration(e.at)} | ${e.seconds} s | ${e.recoveredAfter ?? 'not within 10 min'} s | ${e.detail ?? ''} |`);
    lines.push('');
  }
  if (r.memory) {
    lines.push('| service | RSS at start (MiB) | at end | max | CPU s |', '|---|---|---|---|---|');
    for (const [name, m] of Object.entries(r.memory as Loose))
      lines.push(`| ${name} | ${m.startMiB ?? '–'} | ${m.endMiB ?? '–'} | ${m.maxMiB} | ${m.cpuSeconds ?? '–'} |`);
    if (r.broker) lines.push(`| Kafka broker (shared) | ${r.broker.startMiB} | ${r.broker.endMiB} | ${r.broker.maxMiB} | |`);
    lines.push('', 'The aggregator row spans both of its processes: "at start" is the first, "at end" the one started again.', '');
    if (r.broker)
      lines.push(
        `Broker restarts seen (pid changes): ${r.broker.restartsSeen}, of which ${r.broker.bySoak} by the soak; the broker is shared, so other clients may restart it too.`,
        '',
      );
  }
  if (r.lag) {
    lines.push(
      `Consumer lag (sampled every ${o.sampleSeconds} s): largest ${r.lag.max} messages (at ${fmtDuration(r.lag.maxAt ?? 0)}); largest outside the restarts and their recovery ${r.lag.maxSteady}; ` +
        `${r.lag.unmeasured} samples without a figure (broker away). Largest node outbox: ${r.maxOutbox}. Drained (outboxes empty, lag 0) ${r.drainSeconds} s after the load stopped.`,
      '',
    );
  }
  if (r.verification) {
    const v = r.verification;
    lines.push(
      `Exactly once: **${v.exactlyOnce ? 'yes' : 'NO'}** — ${v.acknowledged.toLocaleString('en')} acknowledged; regional_events ${v.regional.movementEvents.toLocaleString('en')} (missing ${v.regional.missing}, unacknowledged ${v.regional.unacknowledged}); release ${r.release.id} (data until ${r.release.dataUntil}): the secretariat is answered ${v.secretariat.total.toLocaleString('en')} (exact for ${v.secretariat.exact.join(', ')}).`,
      '',
    );
    for (const [what, ok] of Object.entries(v.checks as Record<string, boolean>)) lines.push(`- [${ok ? 'x' : ' '}] ${what}`);
    lines.push('');
  }
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
