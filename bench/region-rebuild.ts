/**
 * `npm run bench:region-rebuild`: how long `npm run cli -- region rebuild` takes to bring a fresh
 * aggregator (empty database, the region's CELL_KEY_SECRET_FILE) back from the nodes, after the
 * movement and referral topics have lost their messages (docs/operations.md, "Rebuild the region
 * from the nodes"). Two regions:
 *
 * - `demo`: the demo's region (six nodes, the demo's feeder: a month and its lead-in of movements,
 *   referrals through their lifecycles) fed to a first aggregator; its answers recorded from its
 *   last release; the aggregator stopped, the topics emptied, a new aggregator rebuilt with a
 *   release of the same dataUntil; the answers must be identical.
 * - `million`: `--events` movement events (default 1,000,000) over `--states` (default AF,IR),
 *   posted to the nodes with the broker unreachable (as the benchmark's ingest stage), the outbox
 *   then emptied (as if forwarded long ago and past the topics' retention), and a fresh aggregator
 *   rebuilt: time to lag 0, events/s, peak RSS.
 *
 * Options: --only=demo|million, --events N, --states AF,IR, --port BASE (20000-28999), --keep
 * (databases kept). Results: bench/results/region-rebuild-<run>.json and .md.
 */
import { TOPICS, topicName } from '@caravanserai/contracts';
import { issueKey } from '@caravanserai/credentials';
import { generateSigningKeyPair } from '@caravanserai/crypto';
import { resolveDatabaseUrl } from '@caravanserai/database';
import { batches, generateMovements, grantAgreement, OPEN_TERMS, postMovements, RawMovementLike, toRawMovement } from '@caravanserai/synthetic';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { loadavg, now, ROOT, Service, withClient } from './lib';

// ---------- options ----------
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].split('=').slice(1).join('=') : argv[i + 1];
};
const only = arg('only')?.split(',');
const wants = (part: string) => !only || only.includes(part);
const opts = {
  events: Number(arg('events') ?? 1_000_000),
  states: (arg('states') ?? 'AF,IR').split(','),
  port: Number(arg('port') ?? 21400),
  keep: argv.includes('--keep'),
};
if (opts.port < 20000 || opts.port + 20 > 28999) throw new Error('--port: keep the services in 20000-28999');

const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const tag = runId.replace('-', '_').toLowerCase();
const workDir = join(ROOT, 'bench', 'results', `region-rebuild-${runId}`);
mkdirSync(workDir, { recursive: true });
const prefix = `bench-rr-${runId}.`;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const dbUrl = (name: string) => resolveDatabaseUrl({ ...process.env, DATABASE_URL: undefined }, name);
const databases: string[] = [];
const groups: string[] = [];
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const t00 = now();
const log = (m: string) => console.log(`[region-rebuild ${((now() - t00) / 1000).toFixed(1)}s] ${m}`);

// ---------- the region's keys ----------
const DEMO_STATES = ['AF', 'IR', 'PK', 'TR', 'TM', 'KZ'];
const keyFiles = new Map<string, { NODE_SIGNING_KEY_FILE: string; NODE_SIGNING_KEY_ID: string }>();
const trustFile = join(workDir, 'trusted-node-keys.json');
const secretFile = join(workDir, 'cell-key.secret');
{
  const trusted = [];
  for (const state of new Set([...DEMO_STATES, ...opts.states])) {
    const keyId = `${state.toLowerCase()}-rr`;
    const pair = generateSigningKeyPair();
    const file = join(workDir, `${keyId}.pem`);
    writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
    keyFiles.set(state, { NODE_SIGNING_KEY_FILE: file, NODE_SIGNING_KEY_ID: keyId });
    trusted.push({ keyId, state, publicKey: pair.publicKeyPem, status: 'active' });
  }
  writeFileSync(trustFile, JSON.stringify({ keys: trusted }));
  // The region's cell-key secret, shared by every aggregator of the region (as `cell-key create` makes it).
  writeFileSync(secretFile, randomBytes(48).toString('base64'), { mode: 0o600 });
}
const common = { KAFKA_BROKERS: BROKERS.join(','), TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000' };

// ---------- services ----------
async function freshDatabase(name: string): Promise<string> {
  const db = `bench_rr_${tag}_${name}`;
  databases.push(db);
  await withClient(dbUrl('postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
  return dbUrl(db);
}
interface Node {
  state: string;
  db: string;
  service: Service;
  admin: string;
  ingest: string;
}
async function startNode(state: string, db: string, port: number, extra: Record<string, string> = {}): Promise<Service> {
  return Service.start(
    `node-${state}`,
    'apps/national-node/start.sh',
    { ...common, ...keyFiles.get(state)!, NODE_STATE: state, DATABASE_URL: db, ...extra },
    port,
    workDir,
  );
}
const keyOf = async (db: string, service: 'node' | 'aggregator', principal: string, role: string) =>
  (await issueKey(db, service, { principal, role, label: 'bench-region-rebuild' })).key;
interface Aggregator {
  service: Service;
  db: string;
  admin: string;
  secretariat: string;
}
async function startAggregator(name: string, port: number): Promise<Aggregator> {
  const db = await freshDatabase(`agg_${name}`);
  const group = `bench-rr-${runId}-${name}`;
  groups.push(group);
  const service = await Service.start(
    `aggregator-${name}`,
    'dist/apps/aggregator/src/main.js',
    { ...common, TRUSTED_NODE_KEYS_FILE: trustFile, CELL_KEY_SECRET_FILE: secretFile, DATABASE_URL: db, CONSUMER_GROUP: group },
    port,
    workDir,
  );
  return { service, db, admin: await keyOf(db, 'aggregator', 'admin', 'admin'), secretariat: await keyOf(db, 'aggregator', 'secretariat', 'reader') };
}
async function getJson<T>(url: string, key: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** Every message of the movement and referral topics deleted (what their retention does in time);
 * `agreements.v1` keeps its decisions, as the services set it (retention forever). */
async function emptyEventTopics(): Promise<void> {
  const admin = new Kafka({ clientId: `bench-rr-${runId}`, brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of [topicName(TOPICS.movements, prefix), topicName(TOPICS.referrals, prefix)].filter((t) => existing.has(t))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.deleteTopicRecords({ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/** `npm run cli -- region rebuild …`, each output line timed from the command's start. */
function regionRebuild(nodes: Node[], aggregator: Aggregator, releaseUntil: string) {
  const args = [
    'dist/apps/cli/src/main.js',
    'region',
    'rebuild',
    '--nodes',
    nodes.map((n) => `${n.service.url}=${n.admin}`).join(','),
    '--aggregator',
    `${aggregator.service.url}=${aggregator.admin}`,
    '--release-until',
    releaseUntil,
    '--timeout-s',
    '3000',
  ];
  const t0 = now();
  return new Promise<{ seconds: number; lines: { s: number; line: string }[]; rebuiltS: number; releasedS: number }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { s: number; line: string }[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push({ s: round((now() - t0) / 1000, 2), line });
        log(`  region rebuild: ${line}`);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (now() - t0) / 1000;
      const rebuilt = lines.find((l) => /^rebuilt in/.test(l.line));
      const released = lines.find((l) => /^release cut/.test(l.line));
      if (code !== 0 || !rebuilt || !released)
        return reject(
          new Error(
            `region rebuild failed (${code}): ${stderr.slice(-1000)} ${lines
              .map((l) => l.line)
              .join('\n')
              .slice(-1000)}`,
          ),
        );
      resolve({ seconds, lines, rebuiltS: Number(/^rebuilt in ([\d.]+) s/.exec(rebuilt.line)![1]), releasedS: released.s });
    });
  });
}

const peakRss = (services: Service[]) => Object.fromEntries(services.map((s) => [s.name, round(s.stats().peakRssMiB)]));
const running: Service[] = [];
async function stopAll() {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

// ---------- the demo's region ----------
async function demoRegion() {
  const load0 = loadavg();
  const base = opts.port;
  const first = await startAggregator('demo_first', base);
  running.push(first.service);
  const nodes: Node[] = [];
  for (const [i, state] of DEMO_STATES.entries()) {
    const db = await freshDatabase(`demo_node_${state.toLowerCase()}`);
    const service = await startNode(state, db, base + 1 + i);
    running.push(service);
    nodes.push({ state, db, service, admin: await keyOf(db, 'node', 'admin', 'admin'), ingest: await keyOf(db, 'node', `state:${state}`, 'ingest') });
  }
  // The demo's own feeder, with the demo's keys: grants, movements, referrals, releases.
  const keys: Record<string, string> = { SECRETARIAT_KEY: first.secretariat, AGGREGATOR_ADMIN_KEY: first.admin };
  for (const n of nodes) {
    keys[`${n.state}_INGEST_KEY`] = n.ingest;
    keys[`${n.state}_ADMIN_KEY`] = n.admin;
    keys[`${n.state}_READER_KEY`] = await keyOf(first.db, 'aggregator', `state:${n.state}`, 'reader');
  }
  log('feeding the demo region (dist/scripts/demo/feed.js)');
  const feedT0 = now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/scripts/demo/feed.js'], {
      cwd: ROOT,
      env: { ...process.env, ...keys, DEMO_NODES: nodes.map((n) => `${n.state}=${n.service.url}`).join(','), DEMO_AGGREGATOR: first.service.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on(
      'close',
      (code) => (writeFileSync(join(workDir, 'feed.log'), out), code === 0 ? resolve() : reject(new Error(`feed exited ${code}: ${out.slice(-1000)}`))),
    );
  });
  const feedSeconds = (now() - feedT0) / 1000;

  const { releases } = await getJson<{ releases: { id: number; dataUntil: string }[] }>(`${first.service.url}/v1/releases`, first.secretariat);
  const last = releases.reduce((a, b) => (b.id > a.id ? b : a));
  const questions = demoQuestions();
  const before = await answers(first, questions);
  const firstNodes = await getJson<{ providers: { provider: string; eventsReceived: number }[] }>(`${first.service.url}/v1/nodes`, first.admin);
  const events = firstNodes.providers.reduce((a, p) => a + p.eventsReceived, 0);
  log(
    `demo region fed in ${round(feedSeconds)} s: ${events} events at the first aggregator, release ${last.id} (data until ${last.dataUntil}); losing the aggregator and the topics' messages`,
  );
  await first.service.stop();
  running.splice(running.indexOf(first.service), 1);
  await emptyEventTopics();

  const rebuilt = await startAggregator('demo_rebuilt', base + 10);
  running.push(rebuilt.service);
  const load1 = loadavg();
  const r = await regionRebuild(nodes, rebuilt, last.dataUntil);
  const load2 = loadavg();
  const after = await answers(rebuilt, questions);
  writeFileSync(join(workDir, 'answers-first.json'), JSON.stringify(before, null, 1));
  writeFileSync(join(workDir, 'answers-rebuilt.json'), JSON.stringify(after, null, 1));
  const differing = Object.keys(before).filter((q) => !isDeepStrictEqual(before[q], after[q]));
  const nonEmpty = Object.values(before).every((a) => JSON.stringify(a).length > 200);
  const result = {
    region: `demo: ${DEMO_STATES.length} nodes, the demo feeder's month + lead-in and referrals`,
    events,
    nodeEvents: Object.fromEntries(
      await Promise.all(
        nodes.map(async (n) => [n.state, (await getJson<{ events: number; counted: number }>(`${n.service.url}/v1/republication`, n.admin)).events]),
      ),
    ),
    feedSeconds: round(feedSeconds),
    toConvergedS: r.rebuiltS,
    toReleaseS: r.releasedS,
    processS: round(r.seconds, 2),
    eventsPerSecond: Math.round(events / r.rebuiltS),
    releaseDataUntil: last.dataUntil,
    answersIdentical: differing.length === 0 && nonEmpty,
    questions,
    differing,
    peakRssMiB: peakRss([rebuilt.service, ...nodes.map((n) => n.service)]),
    load: { start: load0, beforeRebuild: load1, afterRebuild: load2 },
    output: r.lines,
  };
  await stopAll();
  if (differing.length) throw Object.assign(new Error(`answers differ after the rebuild: ${differing.join('; ')}`), { result });
  return result;
}

function demoQuestions(): string[] {
  const n = new Date();
  const from = new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), 0)).toISOString().slice(0, 10);
  return [
    `/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route,category`,
    `/v1/flows?from=${from}&to=${to}&granularity=week&groupBy=borderCrossingPoint,direction`,
    `/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=provider,sex,ageBand`,
    `/v1/referrals/summary?from=${from}&to=${to}&granularity=month&groupBy=referredTo`,
  ];
}
/** The secretariat's answers, without what names the release (its id, also in the notes' "release N",
 * and the moment of its cut): the first aggregator cut two releases, the rebuilt one one. */
async function answers(a: Aggregator, questions: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const q of questions) {
    const body = await getJson<unknown>(`${a.service.url}${q}`, a.secretariat);
    out[q] = JSON.parse(
      JSON.stringify(body, (k, v) =>
        k === 'id' || k === 'cutAt' || k === 'releaseId' || k === 'asOf'
          ? undefined
          : typeof v === 'string'
            ? v.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<instant>').replace(/\brelease \d+\b/g, 'release <id>')
            : v,
      ),
    );
  }
  return out;
}

// ---------- a region of a million events ----------
/** Yearly records of each provider at scale 1 (as bench/bench.ts), to size the generator. */
const YEARLY: Record<string, number> = { AF: 2_367_478, IR: 1_624_961, PK: 581_193, KZ: 455_776, TR: 128_501, CN: 72_845, AZ: 55_196, TM: 39_871, KG: 21_771 };

function* recordsOf(state: string, n: number): Generator<RawMovementLike> {
  let i = 0;
  for (const m of generateMovements({
    seed: 15,
    from: '2025-01-01',
    to: '2025-12-31',
    scale: (n / YEARLY[state]) * 1.15,
    providers: [state],
    recordIdPrefix: `RR${runId}-`,
  })) {
    if (i++ >= n) return;
    yield toRawMovement(m);
  }
  if (i < n) throw new Error(`the generator gave ${i} of ${n} records of ${state}`);
}

async function millionRegion() {
  const load0 = loadavg();
  const base = opts.port + 20 > 28999 ? opts.port : opts.port + 20;
  const per = Math.floor(opts.events / opts.states.length);
  const nodes: Node[] = [];
  // 1. The nodes' histories, posted with the broker unreachable (the forwarder publishes nothing),
  //    two clients per node, and a grant to the secretariat from each (so that the events are pooled
  //    and projected at the aggregator, not held).
  const loadT0 = now();
  await Promise.all(
    opts.states.map(async (state, i) => {
      const db = await freshDatabase(`m_node_${state.toLowerCase()}`);
      const service = await startNode(state, db, base + 1 + i, { KAFKA_BROKERS: '127.0.0.1:1' });
      const node: Node = { state, db, service, admin: await keyOf(db, 'node', 'admin', 'admin'), ingest: await keyOf(db, 'node', `state:${state}`, 'ingest') };
      nodes.push(node);
      await grantAgreement(service.url, { ...OPEN_TERMS, recipient: 'secretariat', minCellSize: 5 }, { authorization: `Bearer ${node.admin}` });
      const it = batches(recordsOf(state, per), 1000)[Symbol.iterator]();
      let posted = 0;
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          for (let b = it.next(); !b.done; b = it.next()) {
            const a = await postMovements(service.url, b.value, { authorization: `Bearer ${node.ingest}` });
            posted += a.accepted;
            if (posted % 100_000 < 1000) log(`  node ${state}: ${posted} posted`);
          }
        }),
      );
      await service.stop();
    }),
  );
  const loadSeconds = (now() - loadT0) / 1000;
  // 2. Forwarded long ago, and past the topics' retention: the outboxes empty, the topics too.
  for (const n of nodes) await withClient(n.db, (c) => c.query('DELETE FROM outbox'));
  log(
    `loaded ${per * nodes.length} events into ${nodes.length} nodes in ${round(loadSeconds)} s (${Math.round((per * nodes.length) / loadSeconds)} records/s); outboxes emptied`,
  );

  // 3. The nodes back on the broker, a fresh aggregator, the rebuild.
  for (const [i, n] of nodes.entries()) {
    n.service = await startNode(n.state, n.db, base + 1 + i);
    running.push(n.service);
  }
  await emptyEventTopics();
  const aggregator = await startAggregator('million', base);
  running.push(aggregator.service);
  const cpu0 = Object.fromEntries(running.map((s) => [s.name, s.stats().cpuSeconds]));
  const load1 = loadavg();
  const r = await regionRebuild(nodes, aggregator, '2025-12-31');
  const load2 = loadavg();
  const status = await Promise.all(nodes.map((n) => getJson<{ counted: number; events: number }>(`${n.service.url}/v1/republication`, n.admin)));
  const events = status.reduce((a, s) => a + s.counted, 0);
  const flows = await getJson<{ totals: { count: number } }>(
    `${aggregator.service.url}/v1/flows?from=2025-01-01&to=2025-12-31&granularity=year&groupBy=provider`,
    aggregator.secretariat,
  );
  const result = {
    region: `${nodes.length} nodes × ${per} movement events (2025)`,
    events,
    loadSeconds: round(loadSeconds),
    loadRecordsPerSecond: Math.round(events / loadSeconds),
    toConvergedS: r.rebuiltS,
    toReleaseS: r.releasedS,
    processS: round(r.seconds, 2),
    eventsPerSecond: Math.round(events / r.rebuiltS),
    releasedTotal: flows.totals.count,
    peakRssMiB: peakRss(running),
    cpuSeconds: Object.fromEntries(running.map((s) => [s.name, round(s.stats().cpuSeconds - cpu0[s.name])])),
    load: { start: load0, beforeRebuild: load1, afterRebuild: load2 },
    output: r.lines,
  };
  await stopAll();
  return result;
}

// ---------- main ----------
async function cleanup() {
  await stopAll().catch(() => undefined);
  const admin = new Kafka({ clientId: `bench-rr-${runId}`, brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const ours = groups.filter((g) => known.has(g));
    if (ours.length) await admin.deleteGroups(ours).catch(() => undefined);
    if (topics.length) await admin.deleteTopics({ topics });
  } catch (e) {
    log(`Kafka clean-up failed: ${(e as Error).message}`);
  } finally {
    await admin.disconnect();
  }
  if (!opts.keep)
    for (const db of databases) await withClient(dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).catch(() => undefined);
}

async function main() {
  const report: Record<string, unknown> = {
    runId,
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: round(totalmem() / 2 ** 30), node: process.version },
  };
  log(`run ${runId}: topics ${prefix}*, databases bench_rr_${tag}_*, ports ${opts.port}…`);
  let failed = false;
  try {
    for (const [name, part] of [
      ['demo', demoRegion],
      ['million', millionRegion],
    ] as const) {
      if (!wants(name)) continue;
      try {
        report[name] = await part();
      } catch (e) {
        failed = true;
        report[name] = { error: (e as Error).stack, ...((e as { result?: object }).result ?? {}) };
        log(`${name} FAILED: ${(e as Error).stack}`);
        await stopAll();
      }
      log(`${name}: ${JSON.stringify({ ...(report[name] as object), output: undefined })}`);
    }
  } finally {
    await cleanup();
  }
  report.finishedAt = new Date().toISOString();
  const file = join(ROOT, 'bench', 'results', `region-rebuild-${runId}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  log(`results: ${file}`);
  if (failed) process.exitCode = 1;
}

main().catch(async (e) => {
  console.error(e);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
