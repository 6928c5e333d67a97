import { createKafka } from '@caravanserai/messaging';
import {
  batches,
  generateMovements,
  generateReferrals,
  OPEN_TERMS,
  postMovements,
  postReferrals,
  sendReferralStep,
  toRawMovement,
} from '@caravanserai/synthetic';
import {
  AggregatorInstance,
  bearer,
  dropTestDatabase,
  RunningRegion,
  startRegion,
  TEST_KAFKA_BROKERS,
  TEST_PG_BASE,
  uniqueSuffix,
  waitFor,
} from '@caravanserai/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/**
 * Issue 15: the region survives losing its aggregator. A region of two nodes with movements,
 * retractions, referrals through their lifecycle, grants at k = 1 and k = 5 and a revocation; a
 * release; every flows and referral-summary answer recorded for every principal. Then the topics
 * lose every message (retention), the aggregator and its database are gone, and a new aggregator
 * on an empty database (the same CELL_KEY_SECRET_FILE) is rebuilt from the nodes with
 * `npm run cli -- region rebuild`; a second one on its own database and consumer group converges
 * alongside. Every answer must be identical. Last, a node restored from a pg_dump: the records
 * posted after the dump are posted again by the national system, and none is lost or counted twice.
 */
describe('disaster recovery: the region rebuilt from the nodes', () => {
  const suffix = uniqueSuffix();
  const from = '2026-03-01';
  const to = '2026-03-31';
  const dataUntil = '2026-04-30';
  const states = ['AF', 'IR'] as const;
  const principals = ['secretariat', 'state:AF', 'state:IR', 'org:UNHCR'];
  const questions = [
    `/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route`,
    `/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=category`,
    `/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route,category`,
    `/v1/flows?from=${from}&to=${to}&granularity=day&groupBy=borderCrossingPoint`,
    `/v1/referrals/summary?from=${from}&to=${to}&granularity=month`,
    `/v1/referrals/summary?from=${from}&to=${to}&granularity=month&groupBy=referredTo`,
  ];
  let topics: string[] = [];
  const secretDir = mkdtempSync(join(tmpdir(), 'dr-secret-'));
  const secretFile = join(secretDir, 'cell-key.secret');
  writeFileSync(secretFile, randomBytes(48).toString('base64'), { mode: 0o600 });
  let region: RunningRegion;
  /** An aggregator on its own database (the region's secret): its process, its admin key and a reader key per principal. */
  type Aggregator = AggregatorInstance;
  const get = async <T>(url: string, key: string): Promise<T> => {
    const res = await fetch(url, { headers: bearer(key) });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const release = async (a: Aggregator) => {
    await region.release({ dataUntil }, a);
  };
  /** Every answer to every question for every principal, without what names the release (its id and the moment it was cut; dataUntil stays). */
  const answers = async (a: Aggregator): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    for (const p of principals) {
      for (const q of questions) {
        const body = await get<Record<string, unknown>>(`${a.service.url}${q}`, a.key(p));
        // The notes name the moment of the cut too: any instant in a string is masked, the day kept.
        out[`${p} ${q}`] = JSON.parse(
          JSON.stringify(body, (k, v) =>
            k === 'id' || k === 'cutAt' || k === 'releaseId' || k === 'asOf'
              ? undefined
              : typeof v === 'string'
                ? v.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<instant>')
                : v,
          ),
        );
      }
    }
    return out;
  };
  const quarantine = async (a: Aggregator) =>
    (await get<{ items: { reason: string; payload: string | null }[] }>(`${a.service.url}/v1/quarantine`, a.key('admin'))).items
      .map((i) => `${i.reason} ${i.payload}`)
      .sort();
  const nodeStatus = (state: string) =>
    get<{ counted: number; events: number; outboxBacklog: number }>(`${region.node(state).url}/v1/republication`, region.keys.nodeAdmin.get(state)!);
  const received = async (a: Aggregator) => {
    const body = await get<{ providers: { provider: string; eventsReceived: number }[]; lag: { total: number | null } }>(
      `${a.service.url}/v1/nodes`,
      a.key('admin'),
    );
    return { byState: Object.fromEntries(body.providers.map((p) => [p.provider, p.eventsReceived])), lag: body.lag.total };
  };
  /** The aggregator holds, for each node, exactly as many events as the node, and lags nothing. */
  const converged = async (a: Aggregator) => {
    const got = await received(a);
    if (got.lag !== 0) return false;
    for (const s of states) {
      const n = await nodeStatus(s);
      if (n.outboxBacklog !== 0 || got.byState[s] !== n.counted) return false;
    }
    return true;
  };
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), ...args], { cwd: ROOT, maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  };
  const nodesArg = () => states.map((s) => `${region.node(s).url}=${region.keys.nodeAdmin.get(s)}`).join(',');

  let first: Aggregator;
  let rebuilt: Aggregator;
  let second: Aggregator;
  let before: Record<string, unknown>;
  let quarantinedBefore: string[];
  const movementsPosted = new Map<string, string[]>();

  beforeAll(async () => {
    region = await startRegion({
      name: 'e2e-dr',
      states,
      readers: principals,
      env: { LOG_LEVEL: 'warn' },
      aggregatorEnv: { CELL_KEY_SECRET_FILE: secretFile },
    });
    first = region.main;
    topics = [region.topic('movements'), region.topic('agreements'), region.topic('referrals')];
  });

  afterAll(async () => {
    await region?.close();
    const admin = createKafka('e2e-dr-cleanup', TEST_KAFKA_BROKERS).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...topics, region.topic('alerts')] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a region with data, grants, a revocation, retractions and referrals: every answer recorded from a release', async () => {
    // Movements: posted, and a few retracted.
    const records = [...generateMovements({ seed: 15, from, to, scale: 0.003, providers: [...states], recordIdPrefix: `DR${suffix}-` })];
    for (const state of states) {
      const ids: string[] = [];
      for (const batch of batches(
        records.filter((r) => r.provider === state),
        1000,
      )) {
        const answer = await postMovements(region.node(state).url, batch.map(toRawMovement), region.ingest(state));
        ids.push(...answer.results.map((r) => r.eventId));
      }
      movementsPosted.set(state, ids);
      for (const eventId of ids.slice(0, 4)) {
        const res = await fetch(`${region.node(state).url}/v1/movements/${eventId}/retraction`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...region.ingest(state) },
          body: JSON.stringify({ reason: 'wrong_record' }),
        });
        expect(res.status).toBe(201);
      }
    }
    // Referrals through their lifecycle.
    const referrals = generateReferrals({
      seed: 15,
      from,
      to,
      perProviderPerDay: 1,
      providers: [...states],
      now: new Date('2026-04-05T00:00:00Z'),
      recordIdPrefix: `DRR${suffix}-`,
    });
    for (const state of states) {
      const mine = referrals.filter((r) => r.provider === state);
      const answer = await postReferrals(
        region.node(state).url,
        mine.map((r) => r.record),
        region.ingest(state),
      );
      for (const [i, r] of mine.entries())
        for (const step of r.steps) await sendReferralStep(region.node(state).url, answer.results[i].referralId, step, region.ingest(state));
    }
    // Grants: AF to the secretariat at k = 1; IR to the secretariat by month at k = 5 and to UNHCR by category at k = 5; AF to UNHCR, revoked.
    await region.grant('AF', { ...OPEN_TERMS, recipient: 'secretariat' });
    await region.grant('IR', { ...OPEN_TERMS, recipient: 'secretariat', minTimeGranularity: 'month', minCellSize: 5 });
    await region.grant('IR', { ...OPEN_TERMS, recipient: 'org:UNHCR', minTimeGranularity: 'month', dimensions: ['category', 'referredTo'], minCellSize: 5 });
    const revoked = await region.grant('AF', { ...OPEN_TERMS, recipient: 'org:UNHCR' });
    const res = await fetch(`${region.node('AF').url}/v1/agreements/${revoked}/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...region.nodeAdmin('AF') },
      body: JSON.stringify({ reason: 'end of the pilot' }),
    });
    expect(res.status).toBe(201);

    await waitFor(() => converged(first), { timeoutMs: 120_000, intervalMs: 500, what: 'the first aggregator holding every event of both nodes' });
    await waitFor(
      async () => {
        const list = await get<{ agreements: { status: string }[] }>(`${first.service.url}/v1/agreements`, first.key('secretariat'));
        return list.agreements.length >= 2;
      },
      { what: 'the agreements in the registry' },
    );
    await release(first);
    before = await answers(first);
    quarantinedBefore = await quarantine(first);
    // The answers are not empty: a rebuild that lost everything would not pass for identical.
    const secretariatRoutes = before[`secretariat ${questions[0]}`] as { rows: unknown[]; totals: { count: number } };
    expect(secretariatRoutes.rows.length).toBeGreaterThan(0);
    expect((before[`state:IR ${questions[4]}`] as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    expect((before[`org:UNHCR ${questions[1]}`] as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
  });

  it('loses the aggregator and every message on the topics, and rebuilds from the nodes to the same answers, twice over', async () => {
    await first.service.stop();
    await dropTestDatabase(first.db);

    // Retention passes: the broker deletes only closed segments, and checks every
    // log.retention.check.interval.ms (5 minutes by default), too slow to wait for in a test. So the
    // topics' retention is made short (what an operator's broker would have), and the records are
    // deleted up to the end of each partition at once (DeleteRecords: the same move of the log start
    // offset that retention makes). Then no partition holds a single message.
    const admin = createKafka('e2e-dr-admin', TEST_KAFKA_BROKERS).admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'retention.ms', value: '1000' }] })),
      });
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        await admin.deleteTopicRecords({ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
      }
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) expect([topic, o.low]).toEqual([topic, o.high]);
      }
    } finally {
      await admin.disconnect();
    }

    // A new aggregator on an empty database with the region's secret, and a second one on its own
    // database and consumer group; the nodes republish (the operator's command).
    [rebuilt, second] = await Promise.all([
      region.startAggregator({ name: 'rebuilt', fresh: true }),
      region.startAggregator({ name: 'second', fresh: true, group: `${region.group}-b` }),
    ]);
    const started = Date.now();
    const out = await cli(
      'region',
      'rebuild',
      '--nodes',
      nodesArg(),
      '--aggregator',
      `${rebuilt.service.url}=${rebuilt.key('admin')}`,
      '--timeout-s',
      '150',
      '--release-until',
      dataUntil,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`region rebuild: ${seconds.toFixed(1)} s\n${out}`);
    expect(out).toMatch(/rebuilt in/);
    await waitFor(() => converged(second), { timeoutMs: 120_000, intervalMs: 500, what: 'the second aggregator converging' });
    await release(second);

    // The aggregator's start set the topics' retention back to the services' (agreements: forever).
    const check = createKafka('e2e-dr-check', TEST_KAFKA_BROKERS).admin();
    await check.connect();
    try {
      const { resources } = await check.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      });
      const retention = Object.fromEntries(resources.map((r) => [r.resourceName, r.configEntries.find((c) => c.configName === 'retention.ms')!.configValue]));
      expect(retention).toEqual({ [topics[0]]: String(7 * 86_400_000), [topics[1]]: '-1', [topics[2]]: String(7 * 86_400_000) });
    } finally {
      await check.disconnect();
    }

    expect(await answers(rebuilt)).toEqual(before);
    expect(await answers(second)).toEqual(before);
    for (const a of [rebuilt, second]) {
      const now = await quarantine(a);
      expect(now.filter((q) => !quarantinedBefore.includes(q))).toEqual([]);
    }
  });

  it('restores a node from a pg_dump: what it lost is posted again, nothing is lost and nothing is counted twice', async () => {
    const state = 'AF';
    const db = region.nodeDbs.get(state)!;
    const dump = join(secretDir, 'node-af.dump');
    await run('pg_dump', ['--format=custom', `--file=${dump}`, db]);

    // After the dump: more records, acknowledged by the node and taken in by the aggregators.
    const more = [...generateMovements({ seed: 16, from, to, scale: 0.0005, providers: [state], recordIdPrefix: `DRLATE${suffix}-` })].map(toRawMovement);
    expect(more.length).toBeGreaterThan(5);
    const firstPost = await postMovements(region.node(state).url, more, region.ingest(state));
    expect(firstPost.accepted).toBe(more.length);
    await waitFor(() => converged(rebuilt), { timeoutMs: 60_000, intervalMs: 500, what: 'the late records at the aggregator' });
    const afterLate = (await received(rebuilt)).byState[state];

    // The node's database is lost and restored from the dump; the node restarts on it.
    await region.node(state).stop();
    const admin = new Client({ connectionString: `${TEST_PG_BASE}/postgres` });
    await admin.connect();
    const name = new URL(db).pathname.slice(1);
    await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    await run('pg_restore', ['--no-owner', `--dbname=${db}`, dump]);
    await region.startNode(state);
    expect((await nodeStatus(state)).counted).toBeLessThan(afterLate);

    // The national system replays its log since the dump: the same records, the same event ids.
    const replay = await postMovements(region.node(state).url, more, region.ingest(state));
    expect(replay.accepted).toBe(more.length);
    expect(replay.results.map((r) => r.eventId)).toEqual(firstPost.results.map((r) => r.eventId));
    // The operator republishes the node: the aggregator holds exactly the node's events, none twice.
    const out = await cli(
      'region',
      'rebuild',
      '--nodes',
      `${region.node(state).url}=${region.keys.nodeAdmin.get(state)}`,
      '--aggregator',
      `${rebuilt.service.url}=${rebuilt.key('admin')}`,
      '--timeout-s',
      '120',
    );
    expect(out).toMatch(/rebuilt in/);
    expect((await received(rebuilt)).byState[state]).toBe(afterLate);
    expect((await nodeStatus(state)).counted).toBe(afterLate);
    await waitFor(() => converged(second), { timeoutMs: 60_000, intervalMs: 500, what: 'the second aggregator after the restore' });
    expect((await received(second)).byState[state]).toBe(afterLate);
    expect((await quarantine(rebuilt)).filter((q) => !quarantinedBefore.includes(q))).toEqual([]);
  });
});
