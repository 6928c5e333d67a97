/**
 * `npm run bench`: measures each stage of the pipeline and the whole, on this machine, against the
 * baselines that bound them (Kafka's own perf tools, PostgreSQL COPY), in one run. See
 * docs/benchmark.md.
 */
import { ageBandOn, MovementRecordedData, movementStreamId, PROVIDER_STATES, TOPICS, topicName } from '@caravanserai/contracts';
import { issueKey } from '@caravanserai/credentials';
import { generateSigningKeyPair } from '@caravanserai/crypto';
import { locateMigrations, migrate, resolveDatabaseUrl } from '@caravanserai/database';
import { rowToEnvelope } from '@caravanserai/event-store';
import { batches, generateMovements, RawMovementLike, toRawMovement } from '@caravanserai/synthetic';
import { createWriteStream, existsSync, mkdirSync, renameSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { FACT_FIELDS, factOf } from '../apps/aggregator/src/flows/domain/flow-deltas';
import { FLOW_DIMENSIONS } from '../apps/aggregator/src/answers/flow-answer';
import { FLOW_COLUMNS } from '../apps/aggregator/src/infrastructure/flow-columns';
import { lastClosedDay } from '../apps/aggregator/src/releases/domain/release';
import { cutRelease } from '../apps/aggregator/src/releases/infrastructure/pg-releases';
import {
  copyIn,
  copyOut,
  cpuBetween,
  cpuByProcess,
  csv,
  loadavg,
  machineBusySeconds,
  must,
  now,
  percentile,
  ROOT,
  run,
  Service,
  sleep,
  withClient,
} from './lib';
import { summariseProfile } from './profile-summary';
import { runQueryClients } from './query-clients';

// ---------- options ----------
const argv = process.argv.slice(2);
/** The options this benchmark knows, as they are read: any other `--name` is refused below. */
const known = new Set(['only']);
const flag = (name: string) => {
  known.add(name);
  return argv.includes(`--${name}`);
};
const num = (name: string, dflt: number) => {
  known.add(name);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
};
const smoke = flag('smoke');
const opts = {
  smoke,
  /** Records posted in the node-ingest stage (then forwarded and projected). */
  ingest: num('ingest', smoke ? 2_000 : 200_000),
  /** Concurrent HTTP clients posting batches. */
  clients: num('clients', 4),
  batch: num('batch', 1_000),
  /** End to end: records posted as fast as possible, then the fixed-rate phase. */
  e2e: num('e2e', smoke ? 2_000 : 100_000),
  e2eRate: num('e2e-rate', 0), // 0: half of the measured sustained rate
  e2eSeconds: num('e2e-seconds', smoke ? 2 : 30),
  /** Events behind the flow projection of the query stage. */
  queryEvents: num('query-events', smoke ? 20_000 : 10_000_000),
  querySeconds: num('query-seconds', smoke ? 1 : 20),
  queryClients: num('query-clients', 32),
  /** Ask with the aggregator's answer cache off (FLOWS_CACHE_ROWS=0): every request computed. */
  queryNoCache: flag('no-query-cache'),
  /** The query stage's clients ask through fetch (undici) instead of node:http (keep-alive): 3-4
   * times the client CPU per request, taken from the same two cores the aggregator answers on. */
  queryClientFetch: flag('query-client-fetch'),
  rebuild: num('rebuild', smoke ? 5_000 : 1_000_000),
  /** The node's NODE_SIGNATURE_VERSION (docs/signing.md): 2, one signature per append over a Merkle
   * root, the contract as it is meant to run once every aggregator reads version 2; 1, one per event. */
  signatureVersion: num('signature-version', 2),
  profile: flag('profile'),
  keep: flag('keep'),
  state: 'IR',
  seed: num('seed', 7),
};
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.split('=')[1]
  ?.split(',');
const wants = (stage: string) => !only || only.includes(stage);
const unknown = argv.filter((a) => a.startsWith('--') && !known.has(a.slice(2).split('=')[0]));
if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}; the options are --${[...known].sort().join(', --')} (docs/benchmark.md)`);
if (opts.signatureVersion !== 1 && opts.signatureVersion !== 2) throw new Error('--signature-version is 1 or 2');

const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const tag = runId.replace('-', '_').toLowerCase();
const resultsDir = join(ROOT, 'bench', 'results');
const workDir = join(resultsDir, runId);
const cacheDir = join(resultsDir, '.cache');
mkdirSync(workDir, { recursive: true });
mkdirSync(cacheDir, { recursive: true });
const prefix = `bench-${runId}.`;
const movementsTopic = topicName(TOPICS.movements, prefix);
const perfTopic = `${prefix}perf`;
const dbUrl = (name: string) => resolveDatabaseUrl({ ...process.env, DATABASE_URL: undefined }, name);
const adminUrl = dbUrl('postgres');
const DB = { node: `bench_${tag}_node`, copy: `bench_${tag}_copy`, agg: `bench_${tag}_agg`, query: `bench_${tag}_query`, rebuild: `bench_${tag}_rebuild` };
const ports = { node: 4101, agg: 4100, query: 4102 };
const KAFKA_SH = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
/** The broker: $KAFKA_BROKERS, else the local one deploy/kafka/kafka.sh runs on $KAFKA_PORT (9092). */
const BROKERS = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`).split(',');
const groups = { agg: `bench-${runId}-aggregator`, perf: `bench-${runId}-perf` };

// ---------- results ----------
interface Stage {
  name: string;
  ok: boolean;
  error?: string;
  figure?: number;
  unit?: string;
  baseline?: { what: string; figure: number; unit: string; peakRssMiB?: number | null };
  ratio?: number;
  peakRssMiB?: Record<string, number>;
  cpuSeconds?: Record<string, number>;
  load: { start: number[]; end?: number[] };
  seconds?: number;
  details?: Record<string, unknown>;
}
const results: Stage[] = [];
const log = (m: string) => console.log(`[bench ${((now() - t00) / 1000).toFixed(1)}s] ${m}`);
const t00 = now();
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

async function stage(name: string, f: (s: Stage) => Promise<void>): Promise<void> {
  if (!wants(name)) return;
  const s: Stage = { name, ok: false, load: { start: loadavg() } };
  results.push(s);
  const t0 = now();
  log(`stage ${name}…`);
  try {
    await f(s);
    s.ok = true;
    if (s.figure !== undefined && s.baseline) s.ratio = round(s.figure / s.baseline.figure, 3);
    log(
      `stage ${name}: ${s.figure !== undefined ? `${round(s.figure)} ${s.unit}` : 'done'}${s.ratio !== undefined ? ` (${round(s.ratio * 100, 1)}% of ${s.baseline!.what})` : ''}`,
    );
  } catch (e) {
    s.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`stage ${name} FAILED: ${s.error}`);
  }
  s.seconds = round((now() - t0) / 1000, 1);
  s.load.end = loadavg();
}

// ---------- data ----------
/** Yearly records of each provider at scale 1 (seed-independent to a few %), to size the generator. */
const YEARLY: Record<string, number> = { AF: 2_367_478, IR: 1_624_961, PK: 581_193, KZ: 455_776, TR: 128_501, CN: 72_845, AZ: 55_196, TM: 39_871, KG: 21_771 };
const YEAR_TOTAL = Object.values(YEARLY).reduce((a, b) => a + b, 0);

/** `n` raw records of one provider, spread over 2025 along its real routes. */
function rawRecords(n: number, provider: string, idPrefix: string): RawMovementLike[] {
  const out: RawMovementLike[] = [];
  const scale = (n / YEARLY[provider]) * 1.15;
  for (const m of generateMovements({ seed: opts.seed, from: '2025-01-01', to: '2025-12-31', scale, providers: [provider], recordIdPrefix: idPrefix })) {
    out.push(toRawMovement(m));
    if (out.length >= n) break;
  }
  if (out.length < n) throw new Error(`generator gave ${out.length} of ${n} records`);
  return out;
}

/** Anonymised movement data as the node makes it (the same fields, from the same generator). */
function* anonymisedEvents(total: number, seed: number) {
  const scale = total / YEAR_TOTAL;
  for (const m of generateMovements({ seed, from: '2025-01-01', to: '2025-12-31', scale, withPersonalData: false })) {
    const occurredOn = m.crossedAt.slice(0, 10);
    yield {
      provider: m.provider,
      occurredOn,
      data: {
        direction: m.direction,
        borderCrossingPoint: m.borderCrossingPoint,
        citizenship: m.citizenship,
        departedFrom: m.departedFrom ?? null,
        intendedDestination: m.intendedDestination ?? null,
        category: m.category,
        sex: m.sex,
        ageBand: ageBandOn(m.dateOfBirth, occurredOn),
        specificNeeds: [...new Set(m.specificNeeds ?? [])].sort(),
      },
    };
  }
}

async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  let n = 0;
  for (const line of lines) {
    n++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, file);
  return n;
}

// ---------- infrastructure ----------
async function resetDatabase(name: string, migrations?: string): Promise<string> {
  if (!name.startsWith('bench_')) throw new Error(`refusing to drop ${name}`);
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = dbUrl(name);
  if (migrations) await migrate(url, locateMigrations(migrations));
  return url;
}
/**
 * Every provider pooled, as once each has granted an agreement: the benchmark measures the
 * pipeline, not the wait for a first grant (events of an unpooled provider are held, not projected).
 */
async function poolEveryProvider(url: string): Promise<void> {
  await withClient(url, (c) => c.query('UPDATE provider_pool SET pooled_at = now()'));
}

/** The secretariat may read every provider at the finest level with k = 5, so that queries run
 * through the agreement cut and disclosure control as they would in production. */
async function grantTheSecretariat(url: string): Promise<void> {
  const terms = {
    scope: { eventKinds: ['movements', 'referrals'] },
    dimensions: [...FLOW_DIMENSIONS],
    minTimeGranularity: 'day',
    minGeoGranularity: 'border_crossing_point',
    minCellSize: 5,
    embargoDays: 0,
    validFrom: '2020-01-01',
    validUntil: null,
    purpose: 'benchmark',
  };
  await withClient(url, async (c) => {
    for (const provider of PROVIDER_STATES) {
      await c.query(
        `INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at)
         VALUES ($1, $2, 'secretariat', $3, 'active', 1, now(), now())`,
        [uuidv7(), provider, JSON.stringify(terms)],
      );
    }
  });
  await poolEveryProvider(url);
}

async function dropDatabase(name: string) {
  if (!name.startsWith('bench_')) return;
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
async function count(url: string, sql: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query(sql)).rows[0].n));
}

/** The columns of the node's events that its append writes, version 2's `proof` included. */
const EVENT_COLUMNS = [
  'event_id',
  'type',
  'schema_version',
  'provider',
  'stream_id',
  'stream_version',
  'occurred_on',
  'recorded_at',
  'data',
  'key_id',
  'signature',
  'proof',
];

/** The columns of the aggregator's regional_events that its ingest writes (insertEvents). */
const REGIONAL_EVENT_COLUMNS = [...EVENT_COLUMNS, 'topic', 'kafka_partition', 'kafka_offset'];

/**
 * The baseline of a stage that writes rows: PostgreSQL's own COPY (psql `\copy`) of the very rows
 * the stage wrote, read out of `fromUrl` table by table and copied into the same tables of a fresh
 * copy of the schema (`DB.copy`, dropped after). Seconds of each COPY in, by table; the copy out is
 * not timed. Columns the database fills itself (identities, defaults, the log's record-key trigger)
 * are left to it, as the stage's own inserts leave them.
 */
async function copyBaseline(fromUrl: string, migrations: string, tables: { table: string; columns: string[]; orderBy?: string }[]) {
  const copyUrl = await resetDatabase(DB.copy, migrations);
  const seconds: Record<string, number> = {};
  try {
    for (const { table, columns, orderBy } of tables) {
      const file = join(workDir, `${table}.csv`);
      await copyOut(fromUrl, `SELECT ${columns.join(', ')} FROM ${table}${orderBy ? ` ORDER BY ${orderBy}` : ''}`, file);
      seconds[table] = round((await copyIn(copyUrl, table, columns, file)).seconds, 3);
      rmSync(file, { force: true });
    }
  } finally {
    await dropDatabase(DB.copy);
  }
  return seconds;
}

/** The average size of a published message: the node's rows as its outbox forwarder reads and
 * encodes them (rowToEnvelope, JSON), so version 2's `batch` and `proof` are counted. */
async function publishedBytes(nodeUrl: string): Promise<number> {
  return withClient(nodeUrl, async (c) => {
    const { rows } = await c.query(
      `SELECT event_id, type, schema_version, provider, stream_id, stream_version, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data,
              key_id, signature, proof
         FROM events ORDER BY global_position LIMIT 2000`,
    );
    const bytes = rows.map((r) => Buffer.byteLength(JSON.stringify(rowToEnvelope(r))));
    return Math.round(bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length));
  });
}

/** The node's signing key and the aggregator's trust file, made for this run (docs/signing.md). */
const signing = (() => {
  const keyId = `${opts.state.toLowerCase()}-bench`;
  const pair = generateSigningKeyPair();
  const keyFile = join(workDir, `${keyId}.pem`);
  const trustFile = join(workDir, 'trusted-node-keys.json');
  writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(trustFile, JSON.stringify({ keys: [{ keyId, state: opts.state, publicKey: pair.publicKeyPem, status: 'active' }] }));
  return { node: { NODE_SIGNING_KEY_FILE: keyFile, NODE_SIGNING_KEY_ID: keyId }, aggregator: { TRUSTED_NODE_KEYS_FILE: trustFile } };
})();
// The benchmark measures throughput, not the per-caller limit (docs/operations.md), so it lifts it.
const common = { KAFKA_BROKERS: BROKERS.join(','), TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn', MOVEMENTS_PARTITIONS: '6', RATE_LIMIT_MAX: '100000000' };
function nodeEnv(extra: Record<string, string> = {}) {
  return { ...common, ...signing.node, NODE_STATE: opts.state, NODE_SIGNATURE_VERSION: String(opts.signatureVersion), DATABASE_URL: dbUrl(DB.node), ...extra };
}
/** The Authorization header of an API key issued in a service's database, as the key CLI does. */
const bearerOf = async (url: string, service: 'node' | 'aggregator', principal: string, role: string) => ({
  authorization: `Bearer ${(await issueKey(url, service, { principal, role, label: 'bench' })).key}`,
});
/** The ingest key of the node last started (its database may have been recreated since the last). */
let nodeAuth: Record<string, string> = {};
async function startNode(name: string, extra: Record<string, string> = {}, profileFile?: string) {
  const args = profileFile ? ['-r', join(ROOT, 'dist', 'bench', 'cpu-profile-hook.js')] : [];
  // Through the node's start script, as production starts it (its V8 heap settings included).
  const service = await Service.start(
    name,
    'apps/national-node/start.sh',
    nodeEnv({ ...extra, ...(profileFile ? { BENCH_CPU_PROFILE: profileFile } : {}) }),
    ports.node,
    workDir,
    args,
  );
  nodeAuth = await bearerOf(dbUrl(DB.node), 'node', `state:${opts.state}`, 'ingest');
  return service;
}
async function startAggregator(name: string, db: string, extra: Record<string, string> = {}, port = ports.agg, profileFile?: string) {
  const args = profileFile ? ['-r', join(ROOT, 'dist', 'bench', 'cpu-profile-hook.js')] : [];
  const env = {
    ...common,
    ...signing.aggregator,
    DATABASE_URL: dbUrl(db),
    CONSUMER_GROUP: groups.agg,
    ...extra,
    ...(profileFile ? { BENCH_CPU_PROFILE: profileFile } : {}),
  };
  return Service.start(name, 'dist/apps/aggregator/src/main.js', env, port, workDir, args);
}

/** Asks a service started with the profile hook for its CPU profile and waits for the file. */
async function writeProfile(service: Service, file: string) {
  service.child.kill('SIGWINCH');
  for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100);
  await sleep(500);
}

async function post(url: string, records: RawMovementLike[]): Promise<void> {
  const res = await fetch(`${url}/v1/movements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...nodeAuth },
    body: JSON.stringify({ records }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/movements: ${res.status} ${text.slice(0, 500)}`);
}
/** Posts every batch with `clients` requests in flight; returns seconds. */
async function postAll(url: string, all: RawMovementLike[][], clients: number): Promise<number> {
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < all.length) await post(url, all[next++]);
    }),
  );
  return (now() - t0) / 1000;
}

/** Polls `probe` until it returns at least `target`; returns the rate between the first change
 * and the end, so that start-up (boot, group join) is not counted. */
async function drain(probe: () => Promise<number>, start: number, target: number, timeoutS: number) {
  let first: { t: number; n: number } | null = null;
  const deadline = now() + timeoutS * 1000;
  for (;;) {
    const n = await probe();
    const t = now();
    if (!first && n !== start) first = { t, n: start };
    if (n >= target) {
      const seconds = first ? (t - first.t) / 1000 : 0;
      return { seconds, perSecond: first && seconds > 0 ? (target - first.n) / seconds : NaN };
    }
    if (t > deadline) throw new Error(`timed out at ${n} of ${target}`);
    await sleep(25);
  }
}

async function kafka(args: string[], what: string) {
  return must(run('bash', [KAFKA_SH, ...args]), what);
}
async function ensureServices() {
  const pg = await run('pg_isready', ['-q', '-h', process.env.PGHOST ?? '127.0.0.1', '-p', process.env.PGPORT ?? '5432']);
  if (pg.code !== 0) throw new Error('PostgreSQL does not answer');
  const k = await run('bash', [KAFKA_SH, 'status']);
  if (k.code !== 0) throw new Error(`Kafka does not answer on ${BROKERS.join(',')} (bash deploy/kafka/kafka.sh start)`);
}

// ---------- main ----------
async function main() {
  await ensureServices();
  const meta = {
    runId,
    mode: smoke ? 'smoke' : 'full',
    options: opts,
    machine: {
      cpus: (await import('node:os')).cpus().length,
      cpuModel: (await import('node:os')).cpus()[0]?.model,
      memGiB: round((await import('node:os')).totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    startedAt: new Date().toISOString(),
  };
  log(`run ${runId} (${meta.mode}); topics ${prefix}*, databases bench_${tag}_*`);

  const raw = rawRecords(opts.ingest + opts.e2e + 2 * opts.batch, opts.state, `B${runId}-`);
  const warm = batches(raw.slice(0, 2 * opts.batch), opts.batch);
  const ingestBatches = [...batches(raw.slice(2 * opts.batch, 2 * opts.batch + opts.ingest), opts.batch)];
  const e2eRecords = raw.slice(2 * opts.batch + opts.ingest);
  const storedAfterIngest = 2 * opts.batch + opts.ingest;
  let envelopeBytes = 0;
  let aggregator: Service | null = null;
  let forwardingNode: Service | null = null;

  try {
    // 1. node ingest, with the broker unreachable so the forwarder publishes nothing.
    await stage('ingest', async (s) => {
      const nodeUrl = await resetDatabase(DB.node);
      const profile = opts.profile ? join(workDir, 'node-ingest.cpuprofile') : undefined;
      const node = await startNode('node-ingest', { KAFKA_BROKERS: '127.0.0.1:1' }, profile);
      try {
        for (const b of warm) await post(node.url, b);
        const cpu0 = node.stats().cpuSeconds;
        const seconds = await postAll(node.url, ingestBatches, opts.clients);
        const st = node.stats();
        if (profile) await writeProfile(node, profile);
        const events = await count(nodeUrl, 'SELECT count(*) AS n FROM events');
        const outbox = await count(nodeUrl, 'SELECT count(*) AS n FROM outbox');
        if (events !== storedAfterIngest || outbox !== storedAfterIngest)
          throw new Error(`stored ${events} events and ${outbox} outbox rows, expected ${storedAfterIngest}`);
        s.figure = opts.ingest / seconds;
        s.unit = 'records/s';
        s.peakRssMiB = { node: round(st.peakRssMiB, 1) };
        s.cpuSeconds = { node: round(st.cpuSeconds - cpu0, 1) };
        s.details = {
          records: opts.ingest,
          batch: opts.batch,
          clients: opts.clients,
          seconds: round(seconds, 2),
          nodeCpuShare: round((st.cpuSeconds - cpu0) / seconds, 2),
        };
        if (profile && existsSync(profile)) s.details.profile = summariseProfile(profile, 20);
      } finally {
        await node.stop();
      }
      // Baseline: COPY of the very rows the node stored (events, outbox, record_ids) into a fresh copy of its schema.
      const copied = await copyBaseline(nodeUrl, 'national-node', [
        { table: 'events', columns: EVENT_COLUMNS, orderBy: 'global_position' },
        { table: 'outbox', columns: ['global_position', 'topic', 'message_key'], orderBy: 'id' },
        { table: 'record_ids', columns: ['kind', 'id_digest', 'event_id'] },
      ]);
      s.baseline = {
        what: 'PostgreSQL COPY of the same rows (events + outbox + record_ids)',
        figure: storedAfterIngest / (copied.events + copied.outbox + copied.record_ids),
        unit: 'records/s',
      };
      envelopeBytes = await publishedBytes(nodeUrl);
      s.details!.envelopeBytes = envelopeBytes;
      s.details!.copySeconds = copied;
    });

    // 2. forwarding: the outbox filled above, onto Kafka.
    await stage('forward', async (s) => {
      const nodeUrl = dbUrl(DB.node);
      const backlog = await count(nodeUrl, 'SELECT count(*) AS n FROM outbox');
      if (backlog === 0) throw new Error('no outbox backlog (run the ingest stage)');
      const profile = opts.profile ? join(workDir, 'node-forward.cpuprofile') : undefined;
      const node = await startNode('node-forward', {}, profile);
      forwardingNode = node; // kept for the e2e stage: one boot less
      try {
        const cpu0 = node.stats().cpuSeconds;
        const r = await drain(async () => backlog - (await count(nodeUrl, 'SELECT count(*) AS n FROM outbox')), 0, backlog, 600);
        const st = node.stats();
        if (profile) await writeProfile(node, profile);
        s.figure = r.perSecond;
        s.unit = 'events/s';
        s.peakRssMiB = { node: round(st.peakRssMiB, 1) };
        s.cpuSeconds = { node: round(st.cpuSeconds - cpu0, 1) };
        s.details = { events: backlog, seconds: round(r.seconds, 2), nodeCpuShare: round((st.cpuSeconds - cpu0) / r.seconds, 2) };
        if (profile && existsSync(profile)) s.details.profile = summariseProfile(profile, 20);
      } catch (e) {
        await node.stop();
        forwardingNode = null;
        throw e;
      }
      const admin = new Kafka({ clientId: `bench-${runId}`, brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin
        .createTopics({ topics: [{ topic: perfTopic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true })
        .finally(() => admin.disconnect());
      const p = await kafka(
        [
          'perf-producer',
          '--topic',
          perfTopic,
          '--num-records',
          String(backlog),
          '--record-size',
          String(envelopeBytes || 500),
          '--throughput',
          '-1',
          '--producer-props',
          'acks=all',
          'enable.idempotence=true',
          'compression.type=none',
        ],
        'ProducerPerformance',
      );
      const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(p.stdout.trim().split('\n').pop() ?? '');
      if (!m) throw new Error(`cannot read ProducerPerformance output: ${p.stdout.slice(-500)}`);
      s.baseline = {
        what: `Kafka ProducerPerformance (${envelopeBytes} B records, acks=all, idempotent, no compression)`,
        figure: Number(m[2]),
        unit: 'records/s',
        peakRssMiB: p.peakRssMiB && round(p.peakRssMiB),
      };
    });

    // 3. projection: the topic filled above, into the aggregator's projections.
    await stage('project', async (s) => {
      const aggUrl = await resetDatabase(DB.agg, 'aggregator');
      await poolEveryProvider(aggUrl);
      // One connection for the polling: a new one every 25 ms would cost PostgreSQL a backend start each.
      const probeClient = new Client({ connectionString: aggUrl });
      await probeClient.connect();
      const probePid = Number((await probeClient.query('SELECT pg_backend_pid() AS p')).rows[0].p);
      const probe = async () => Number((await probeClient.query('SELECT coalesce(sum(events), 0) AS n FROM provider_status')).rows[0].n);
      const profile = opts.profile ? join(workDir, 'aggregator-project.cpuprofile') : undefined;
      aggregator = await startAggregator('aggregator', DB.agg, {}, ports.agg, profile);
      const cpu0 = aggregator.stats().cpuSeconds;
      // The aggregator's PostgreSQL backends (their process titles name the database), the probe's left out.
      const pgBackends = () => {
        const m = cpuByProcess(`${DB.agg} `);
        m.delete(probePid);
        return m;
      };
      const pg0 = pgBackends();
      const r = await drain(probe, 0, storedAfterIngest, 600).finally(() => probeClient.end());
      const st = aggregator.stats();
      const pg1 = pgBackends();
      const pg = { seconds: cpuBetween(pg0, pg1), backends: pg1.size };
      if (profile) await writeProfile(aggregator, profile);
      s.figure = r.perSecond;
      s.unit = 'events/s';
      s.peakRssMiB = { aggregator: round(st.peakRssMiB, 1) };
      s.cpuSeconds = { aggregator: round(st.cpuSeconds - cpu0, 1) };
      s.details = {
        events: storedAfterIngest,
        seconds: round(r.seconds, 2),
        aggregatorCpuShare: round((st.cpuSeconds - cpu0) / r.seconds, 2),
        aggregatorCpuMicrosPerEvent: round(((st.cpuSeconds - cpu0) * 1e6) / storedAfterIngest, 1),
        // The aggregator's PostgreSQL backends over the same interval (a floor: a backend gone before the end is not counted).
        postgresCpuSeconds: round(pg.seconds, 1),
        postgresCpuMicrosPerEvent: round((pg.seconds * 1e6) / storedAfterIngest, 1),
        postgresBackends: pg.backends,
        cells: await count(aggUrl, 'SELECT count(*) AS n FROM flow_counts'),
      };
      if (profile && existsSync(profile)) s.details.profile = summariseProfile(profile, 20);
      // Baseline: PostgreSQL's COPY of the rows the stage wrote into a fresh copy of the aggregator's
      // schema: every event into regional_events (same columns as the ingest's insert; the record-key
      // trigger and the three unique indexes apply to COPY as well) and the final cells into
      // flow_counts. provider_status and consumer_offsets (a row per provider / partition) are left out.
      const copied = await copyBaseline(aggUrl, 'aggregator', [
        { table: 'regional_events', columns: REGIONAL_EVENT_COLUMNS, orderBy: 'global_position' },
        { table: 'flow_counts', columns: [...FLOW_COLUMNS, 'count', 'key_sum'] },
      ]);
      s.baseline = {
        what: 'PostgreSQL COPY of the same rows (regional_events + flow_counts)',
        figure: storedAfterIngest / (copied.regional_events + copied.flow_counts),
        unit: 'events/s',
      };
      s.details.copySeconds = copied;
      s.details.ofCopyIntoRegionalEventsAlone = round(r.perSecond / (storedAfterIngest / copied.regional_events), 3);
      // Kafka's own consumer on the same topic: informative (it only fetches), not the ratio.
      const c = await kafka(
        ['perf-consumer', '--topic', movementsTopic, '--messages', String(storedAfterIngest), '--group', groups.perf, '--timeout', '60000'],
        'ConsumerPerformance',
      );
      const line = c.stdout
        .trim()
        .split('\n')
        .pop()!
        .split(',')
        .map((x) => x.trim());
      // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
      const fetchRate = Number(line[9]);
      if (!Number.isFinite(fetchRate)) throw new Error(`cannot read ConsumerPerformance output: ${c.stdout.slice(-500)}`);
      s.details.consumerPerformance = {
        what: 'Kafka ConsumerPerformance (fetch rate, after the group join)',
        recordsPerSecond: fetchRate,
        ratio: round(r.perSecond / fetchRate, 3),
        peakRssMiB: c.peakRssMiB && round(c.peakRssMiB),
      };
    });

    // 4. end to end: node (forwarding) → Kafka → aggregator, first as fast as it goes, then at a fixed rate.
    await stage('e2e', async (s) => {
      if (!aggregator) throw new Error('needs the project stage (its aggregator)');
      const aggUrl = dbUrl(DB.agg);
      const probe = () => count(aggUrl, 'SELECT coalesce(sum(events), 0) AS n FROM provider_status');
      const node = forwardingNode ?? (await startNode('node-e2e'));
      forwardingNode = null;
      try {
        const half = Math.floor(e2eRecords.length / 2 / opts.batch) * opts.batch;
        const sat = e2eRecords.slice(0, half);
        const fixed = e2eRecords.slice(half);
        const base = await probe();
        const nodeCpu0 = node.stats().cpuSeconds;
        const aggCpu0 = aggregator!.stats().cpuSeconds;
        const t0 = now();
        const postSeconds = await postAll(node.url, [...batches(sat, opts.batch)], opts.clients);
        await drain(probe, base, base + sat.length, 600);
        const sustained = sat.length / ((now() - t0) / 1000);
        const nodeCpu = node.stats().cpuSeconds - nodeCpu0;
        const aggCpu = aggregator!.stats().cpuSeconds - aggCpu0;

        // Fixed offered load: one batch every batch/rate seconds; latency from each batch's
        // acknowledgement to the moment the projections hold every record acknowledged so far.
        const rate = opts.e2eRate || Math.max(opts.batch, Math.floor(sustained / 2 / opts.batch) * opts.batch);
        const fixedBatches = [...batches(fixed, opts.batch)].slice(0, Math.max(1, Math.floor((rate * opts.e2eSeconds) / opts.batch)));
        const base2 = await probe();
        const acks: { t: number; cumulative: number }[] = [];
        let projected = base2;
        let posting = true;
        const latencies: number[] = [];
        const watcher = (async () => {
          let i = 0;
          while (posting || i < acks.length) {
            projected = await probe();
            const t = now();
            while (i < acks.length && projected >= base2 + acks[i].cumulative) latencies.push(t - acks[i++].t);
            if (t - (acks[acks.length - 1]?.t ?? t) > 120_000) throw new Error('projection stalled');
            await sleep(10);
          }
        })();
        const start = now();
        let sent = 0;
        const inflight: Promise<void>[] = [];
        for (let k = 0; k < fixedBatches.length; k++) {
          const due = start + (k * opts.batch * 1000) / rate;
          const wait = due - now();
          if (wait > 0) await sleep(wait);
          const b = fixedBatches[k];
          inflight.push(
            post(node.url, b).then(() => {
              sent += b.length;
              acks.push({ t: now(), cumulative: sent });
            }),
          );
        }
        await Promise.all(inflight);
        const offeredSeconds = (now() - start) / 1000;
        posting = false;
        await watcher;
        const stN = node.stats();
        const stA = aggregator!.stats();
        s.figure = sustained;
        s.unit = 'records/s (HTTP → queryable, saturated)';
        s.peakRssMiB = { node: round(stN.peakRssMiB, 1), aggregator: round(stA.peakRssMiB, 1) };
        s.cpuSeconds = { node: round(nodeCpu, 1), aggregator: round(aggCpu, 1) };
        s.details = {
          saturated: { records: sat.length, postSeconds: round(postSeconds, 2), recordsPerSecond: round(sustained) },
          fixedRate: {
            offered: rate,
            achieved: round(sent / offeredSeconds),
            records: sent,
            latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)) },
          },
        };
      } finally {
        await node.stop();
      }
    });
    await (aggregator as Service | null)?.stop();
    aggregator = null;
    await (forwardingNode as Service | null)?.stop();
    forwardingNode = null;

    // 5. query: flow_counts loaded directly with the cells of `queryEvents` generated events.
    await stage('query', async (s) => {
      const url = await resetDatabase(DB.query, 'aggregator');
      const cells = join(cacheDir, `flow-cells-seed${opts.seed}-${opts.queryEvents}.csv`);
      if (!existsSync(cells)) {
        log(`generating the cells of ${opts.queryEvents.toLocaleString('en')} events (cached in ${cells})`);
        const m = new Map<string, number>();
        for (const e of anonymisedEvents(opts.queryEvents, opts.seed)) {
          const fact = factOf(e.provider, e.occurredOn, e.data as MovementRecordedData);
          const key = FACT_FIELDS.map((f) => fact[f]).join(',');
          m.set(key, (m.get(key) ?? 0) + 1);
        }
        await writeLines(
          cells,
          (function* () {
            for (const [k, n] of m) yield `${k},${n}\n`;
          })(),
        );
      }
      const load = await copyIn(url, 'flow_counts', [...FLOW_COLUMNS, 'count'], cells);
      await withClient(url, (c) => c.query('VACUUM ANALYZE flow_counts'));
      const loaded = await count(url, 'SELECT sum(count) AS n FROM flow_counts');
      const cellCount = await count(url, 'SELECT count(*) AS n FROM flow_counts');
      await grantTheSecretariat(url);
      // Answers read only the latest release: cut one over the loaded cells, so that every ask is a
      // real answer. Its time (the copy into the released snapshot and its week and month rollups)
      // is what a release costs at this size; it is not part of the query figures.
      const releasePool = new Pool({ connectionString: url, max: 1 });
      const cutStart = now();
      const release = await cutRelease(releasePool, { dataUntil: lastClosedDay(new Date()), by: 'bench', reason: 'bench query stage' }).finally(() =>
        releasePool.end(),
      );
      const releaseCutSeconds = (now() - cutStart) / 1000;
      const weekCells = await count(url, 'SELECT count(*) AS n FROM released_flow_counts_week');
      const monthCells = await count(url, 'SELECT count(*) AS n FROM released_flow_counts_month');
      const profile = opts.profile ? join(workDir, 'aggregator-query.cpuprofile') : undefined;
      const api = await startAggregator(
        'aggregator-query',
        DB.query,
        { CONSUME: 'false', ...(opts.queryNoCache ? { FLOWS_CACHE_ROWS: '0' } : {}) },
        ports.query,
        profile,
      );
      const asSecretariat = { headers: await bearerOf(url, 'aggregator', 'secretariat', 'reader') };
      try {
        // At start the aggregator writes the release's feed items (one flows answer per agreement in
        // force, docs/integrators.md): a burst of first answers once per release, timed here and
        // finished before the questions are asked, so that the figures below are the steady state.
        const feedStart = now();
        await drain(() => count(url, `SELECT count(*) AS n FROM feed_marks WHERE mark = 'release/${release.id}'`), 0, 1, 600);
        const releaseFeedSeconds = (now() - feedStart) / 1000;
        const releaseFeedItems = await count(url, `SELECT count(*) AS n FROM feed_items WHERE kind LIKE 'release.%'`);
        const Y = 'from=2025-01-01&to=2025-12-31';
        const shapes = [
          `${Y}&granularity=month&groupBy=route`,
          `${Y}&granularity=month&groupBy=provider,category`,
          `${Y}&granularity=week&groupBy=borderCrossingPoint,direction&providers=IR`,
          `${Y}&granularity=month&groupBy=citizenship,ageBand,sex&categories=refugee,asylum_seeker,unaccompanied_child`,
          `${Y}&granularity=month&groupBy=category,sex&routes=AF>IR>TR,AF>PK>ZZ`,
          `${Y}&granularity=year&groupBy=provider,intendedDestination`,
          `from=2025-06-01&to=2025-08-31&granularity=day&groupBy=provider`,
        ];
        const lat: number[] = [];
        const byShape: number[][] = shapes.map(() => []);
        // The service's own first request (connections, the registry, code paths run for the first
        // time) is timed apart, with a question of none of the shapes, so that no shape's first ask
        // carries it.
        const c0 = now();
        const cold = await fetch(`${api.url}/v1/flows?from=2025-01-01&to=2025-01-01&granularity=day&groupBy=sex`, asSecretariat);
        await cold.arrayBuffer();
        if (cold.status !== 200) throw new Error(`GET /v1/flows (first request): ${cold.status}`);
        const coldStartMs = now() - c0;
        // Warm-up: each shape once, alone; its time is the cost of a first (uncached) answer.
        const firstAskMs: number[] = [];
        // Each answer's size: the bytes every repeated ask sends and the clients read.
        const answerBytes: number[] = [];
        for (const q of shapes) {
          const t0 = now();
          const res = await fetch(`${api.url}/v1/flows?${q}`, asSecretariat);
          const body = await res.text();
          firstAskMs.push(now() - t0);
          answerBytes.push(Buffer.byteLength(body));
          const answer = JSON.parse(body) as { release: { id: number } | null; rows: unknown[] };
          if (res.status !== 200) throw new Error(`GET /v1/flows?${q}: ${res.status} ${JSON.stringify(answer)}`);
          // An empty answer (no release, or a release missing the data) would measure nothing.
          if (answer.release?.id !== release.id || answer.rows.length === 0)
            throw new Error(
              `GET /v1/flows?${q}: ${answer.rows.length} rows from release ${answer.release?.id ?? 'none'}, expected rows from release ${release.id}`,
            );
        }
        // Transactions the database committed meanwhile (each statement outside a transaction is one):
        // the round trips the aggregator made, whatever made them.
        const commits = () => count(url, `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
        const commits0 = await commits();
        // Where the CPU goes while the clients ask: the aggregator, the 32 clients (this process,
        // on the same two cores) and the PostgreSQL backends of the query database; the rest of
        // the machine's busy time is everything else (other users of the shared machine included).
        const cpu0 = { aggregator: api.stats().cpuSeconds, clients: process.cpuUsage(), postgres: cpuByProcess(`${DB.query} `), machine: machineBusySeconds() };
        // The clients ask on a thread of their own (bench/query-clients.ts): this process's heap does not pause them.
        const asked = await runQueryClients({
          base: api.url,
          shapes,
          headers: asSecretariat.headers,
          clients: opts.queryClients,
          seconds: opts.querySeconds,
          client: opts.queryClientFetch ? 'fetch' : 'node:http',
        });
        asked.byShape.forEach((l, i) => {
          byShape[i] = l;
          for (const ms of l) lat.push(ms);
        });
        const st = api.stats();
        const loopSeconds = asked.loopSeconds;
        const clientsCpu = process.cpuUsage(cpu0.clients);
        const cpuSeconds = {
          aggregator: st.cpuSeconds - cpu0.aggregator,
          clients: (clientsCpu.user + clientsCpu.system) / 1e6,
          postgres: cpuBetween(cpu0.postgres, cpuByProcess(`${DB.query} `)),
          machine: machineBusySeconds() - cpu0.machine,
        };
        // Backends report their counts when idle for a moment (PostgreSQL 15: at most once a second).
        await sleep(1100);
        const transactions = (await commits()) - commits0 - 2;
        if (profile) await writeProfile(api, profile);
        s.figure = percentile(lat, 99);
        s.unit = 'ms p99';
        s.peakRssMiB = { aggregator: round(st.peakRssMiB, 1) };
        s.details = {
          events: loaded,
          cells: cellCount,
          weekCells,
          monthCells,
          loadSeconds: round(load.seconds, 1),
          releaseCutSeconds: round(releaseCutSeconds, 2),
          clients: opts.queryClients,
          requests: lat.length,
          perSecond: round(lat.length / opts.querySeconds),
          p50: round(percentile(lat, 50), 1),
          p99: round(percentile(lat, 99), 1),
          answerCache: !opts.queryNoCache,
          coldStartMs: round(coldStartMs, 1),
          client: opts.queryClientFetch ? 'fetch' : 'node:http',
          transactionsPerRequest: round(transactions / lat.length, 2),
          // Cores busy on average during the timed asks, and CPU µs per request, by whom.
          cpu: Object.fromEntries(
            Object.entries({ ...cpuSeconds, other: cpuSeconds.machine - cpuSeconds.aggregator - cpuSeconds.clients - cpuSeconds.postgres }).map(([k, v]) => [
              k,
              { cores: round(v / loopSeconds, 2), usPerRequest: round((v * 1e6) / lat.length) },
            ]),
          ),
          firstAskMs: {
            max: round(Math.max(...firstAskMs), 1),
            sum: round(
              firstAskMs.reduce((a, b) => a + b, 0),
              1,
            ),
          },
          byShape: shapes.map((q, i) => ({
            query: q,
            firstAskMs: round(firstAskMs[i], 1),
            bytes: answerBytes[i],
            p50: round(percentile(byShape[i], 50), 1),
            p99: round(percentile(byShape[i], 99), 1),
          })),
          release: release.id,
          releaseFeed: { items: releaseFeedItems, seconds: round(releaseFeedSeconds, 1) },
          note: 'asked as the secretariat under a grant from every provider (k = 5), from a release cut over the loaded cells: agreement cut and cell-key publication included (key sums are 0 in the loaded cells: the cost of perturbing does not depend on them)',
        };
        if (profile && existsSync(profile)) s.details.profile = summariseProfile(profile, 20);
      } finally {
        await api.stop();
      }
    });

    // 6. rebuild: regional_events loaded directly (COPY, which is also the baseline), then `npm run rebuild`.
    await stage('rebuild', async (s) => {
      const url = await resetDatabase(DB.rebuild, 'aggregator');
      const file = join(cacheDir, `regional-events-seed${opts.seed}-${opts.rebuild}.csv`);
      if (!existsSync(file)) {
        const recordedAt = '2026-01-01T00:00:00.000Z';
        await writeLines(
          file,
          (function* () {
            let offset = 0;
            for (const e of anonymisedEvents(opts.rebuild * 1.02, opts.seed + 1)) {
              if (offset >= opts.rebuild) break;
              const id = uuidv7();
              yield (
                [id, 'MovementRecorded', 1, e.provider, movementStreamId(id), 1, e.occurredOn, recordedAt, e.data, movementsTopic, offset % 6, offset++]
                  .map(csv)
                  .join(',') + '\n'
              );
            }
          })(),
        );
      }
      // The generated events are unsigned: every column the ingest writes but the signature's.
      const SIGNATURE_COLUMNS = ['key_id', 'signature', 'proof'];
      const cols = REGIONAL_EVENT_COLUMNS.filter((c) => !SIGNATURE_COLUMNS.includes(c));
      const load = await copyIn(url, 'regional_events', cols, file);
      await poolEveryProvider(url);
      const events = await count(url, 'SELECT count(*) AS n FROM regional_events');
      await withClient(url, (c) => c.query('VACUUM ANALYZE regional_events'));
      const r = await must(run(process.execPath, [join(ROOT, 'dist/apps/aggregator/src/rebuild.js')], { DATABASE_URL: url, NO_COLOR: '1' }), 'npm run rebuild');
      const m = /flows rebuilt from (\d+) movement events in ([\d.]+) s/.exec(r.stdout + r.stderr);
      if (!m || Number(m[1]) !== events) throw new Error(`unexpected rebuild output: ${(r.stdout + r.stderr).slice(-500)}`);
      // The CLI gives milliseconds; a replay faster than that (the smoke run's few thousand events)
      // is reported as taking one, rather than as infinitely fast.
      s.figure = events / Math.max(Number(m[2]), 0.001);
      s.unit = 'events/s';
      s.peakRssMiB = { rebuild: round(r.peakRssMiB ?? NaN, 1) };
      s.baseline = { what: 'PostgreSQL COPY of the same rows into regional_events', figure: events / load.seconds, unit: 'rows/s' };
      s.details = { events, seconds: Number(m[2]), processSeconds: round(r.seconds, 1), cells: await count(url, 'SELECT count(*) AS n FROM flow_counts') };
    });
  } finally {
    await (aggregator as Service | null)?.stop();
    await (forwardingNode as Service | null)?.stop();
    await cleanup();
  }

  const report = { ...meta, finishedAt: new Date().toISOString(), stages: results };
  const json = join(resultsDir, `${runId}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2));
  const md = markdown(report);
  writeFileSync(join(resultsDir, `${runId}.md`), md);
  copyFileSync(join(resultsDir, `${runId}.md`), join(resultsDir, 'latest.md'));
  copyFileSync(json, join(resultsDir, 'latest.json'));
  console.log(`\n${md}\nresults: bench/results/${runId}.json, bench/results/${runId}.md`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    console.error(`failed stages: ${failed.map((f) => f.name).join(', ')}`);
    process.exitCode = 1;
  }
}

async function cleanup() {
  log('cleaning up (topics, consumer groups, databases)');
  // kafkajs' admin rather than Kafka's CLI: no JVM start per call.
  const admin = new Kafka({ clientId: `bench-${runId}`, brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [movementsTopic, perfTopic].filter((t) => existing.has(t));
    const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const ours = Object.values(groups).filter((g) => known.has(g));
    if (ours.length) await admin.deleteGroups(ours).catch((e) => log(`could not delete groups ${ours.join(', ')}: ${e.message}`));
    if (topics.length) await admin.deleteTopics({ topics });
  } catch (e) {
    log(`Kafka clean-up failed: ${(e as Error).message}`);
  } finally {
    await admin.disconnect();
  }
  if (!opts.keep) for (const d of Object.values(DB)) await dropDatabase(d).catch(() => undefined);
}

function markdown(r: { runId: string; mode: string; options: typeof opts; machine: Record<string, unknown>; startedAt: string; stages: Stage[] }): string {
  const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x >= 100 ? Math.round(x).toLocaleString('en') : String(round(x, 1)));
  const lines = [
    `# Benchmark ${r.runId} (${r.mode})`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGiB} GiB, Node ${r.machine.node}; shared with other work (load average at each stage's start → end below).`,
    '',
    `Nodes publish signature version ${r.options.signatureVersion} (${r.options.signatureVersion === 2 ? 'one Ed25519 signature per append over a Merkle root' : 'one Ed25519 signature per event'}; \`--signature-version\`).`,
    '',
    '| stage | figure | baseline | ratio | peak RSS (MiB) | load 1-min start → end |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of r.stages) {
    const fig = s.ok ? `${fmt(s.figure)} ${s.unit ?? ''}` : `**failed**`;
    const base = s.baseline ? `${fmt(s.baseline.figure)} ${s.baseline.unit} — ${s.baseline.what}` : '–';
    const rss =
      Object.entries(s.peakRssMiB ?? {})
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ') || '–';
    lines.push(
      `| ${s.name} | ${fig} | ${base} | ${s.ratio !== undefined ? `${round(s.ratio * 100, 1)}%` : '–'} | ${rss} | ${s.load.start[0]} → ${s.load.end?.[0] ?? '?'} |`,
    );
  }
  const e2e = r.stages.find((s) => s.name === 'e2e' && s.ok)?.details as
    { fixedRate?: { offered: number; achieved: number; latencyMs: { p50: number; p99: number } } } | undefined;
  if (e2e?.fixedRate)
    lines.push(
      '',
      `End to end at a fixed offered load of ${fmt(e2e.fixedRate.offered)} records/s (achieved ${fmt(e2e.fixedRate.achieved)}): acknowledgement → queryable p50 ${fmt(e2e.fixedRate.latencyMs.p50)} ms, p99 ${fmt(e2e.fixedRate.latencyMs.p99)} ms.`,
    );
  const p = r.stages.find((s) => s.name === 'project' && s.ok);
  const pd = p?.details as
    | {
        ofCopyIntoRegionalEventsAlone: number;
        aggregatorCpuMicrosPerEvent: number;
        postgresCpuMicrosPerEvent: number;
        consumerPerformance: { recordsPerSecond: number; ratio: number };
      }
    | undefined;
  if (p?.ratio !== undefined && pd)
    lines.push(
      '',
      `Projection: ${fmt(p.figure)} events/s = ${round(p.ratio * 100, 1)}% of PostgreSQL's COPY of the same rows into the same tables (target ≥ 50%: ${r.mode === 'smoke' ? 'not judged at smoke volume, where starting psql is most of the COPY' : p.ratio >= 0.5 ? 'met' : 'not met'}); ${round(pd.ofCopyIntoRegionalEventsAlone * 100, 1)}% of the COPY into regional_events alone; aggregator ${fmt(pd.aggregatorCpuMicrosPerEvent)} µs of CPU per event, its PostgreSQL backends ${fmt(pd.postgresCpuMicrosPerEvent)} µs. Kafka's ConsumerPerformance fetched ${fmt(pd.consumerPerformance.recordsPerSecond)} records/s (${round(pd.consumerPerformance.ratio * 100, 1)}%, for information).`,
    );
  const q = r.stages.find((s) => s.name === 'query' && s.ok)?.details as
    | {
        p50: number;
        p99: number;
        events: number;
        cells: number;
        clients: number;
        perSecond: number;
        answerCache: boolean;
        firstAskMs: { max: number };
        releaseFeed?: { items: number; seconds: number };
        transactionsPerRequest?: number;
        cpu?: Record<string, { cores: number; usPerRequest: number }>;
      }
    | undefined;
  if (q)
    lines.push(
      '',
      `Query: ${q.clients} clients over ${fmt(q.events)} events (${fmt(q.cells)} cells), answer cache ${q.answerCache ? 'on' : 'off'}: p50 ${q.p50} ms, p99 ${q.p99} ms, ${fmt(q.perSecond)} requests/s; slowest first (uncached) answer alone ${fmt(q.firstAskMs.max)} ms${q.releaseFeed ? `; before the questions, the release's ${fmt(q.releaseFeed.items)} feed items written in ${q.releaseFeed.seconds} s` : ''}.` +
        (q.cpu
          ? ` ${q.transactionsPerRequest} transactions per request. Cores busy while asked (CPU µs per request): ${Object.entries(q.cpu)
              .map(([k, v]) => `${k} ${v.cores} (${fmt(v.usPerRequest)})`)
              .join(', ')}.`
          : ''),
    );
  const cpu = r.stages
    .filter((s) => s.cpuSeconds)
    .map(
      (s) =>
        `${s.name}: ${Object.entries(s.cpuSeconds!)
          .map(([k, v]) => `${k} ${v} s`)
          .join(', ')}`,
    );
  if (cpu.length) lines.push('', `CPU time during the measured part: ${cpu.join('; ')}.`);
  for (const name of ['ingest', 'forward', 'project', 'query']) {
    const prof = (r.stages.find((s) => s.name === name)?.details as { profile?: { byModule: { module: string; pct: number }[] } } | undefined)?.profile;
    if (prof)
      lines.push(
        '',
        `Profile during ${name} (self time): ${prof.byModule
          .slice(0, 10)
          .map((m) => `${m.module} ${m.pct}%`)
          .join(', ')}.`,
      );
  }
  for (const s of r.stages.filter((x) => !x.ok)) lines.push('', `Stage ${s.name} failed: ${(s.error ?? '').split('\n')[0]}`);
  return lines.join('\n') + '\n';
}

main().catch(async (e) => {
  console.error(e);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
