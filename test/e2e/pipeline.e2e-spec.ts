import { createKafka } from '@caravanserai/messaging';
import { batches, generateMovements, OPEN_TERMS, postMovements, SyntheticMovement, toRawMovement } from '@caravanserai/synthetic';
import { parsePrometheusText, RunningRegion, startRegion, TEST_KAFKA_BROKERS, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { execFileSync } from 'node:child_process';
import { Pool } from 'pg';

/**
 * The whole pipeline as separate processes on the real broker and database: three national
 * nodes and the aggregator, driven only through their HTTP APIs.
 */
describe('regional pipeline, end to end', () => {
  const suffix = uniqueSuffix();
  const providers = ['AF', 'IR', 'PK'] as const;
  const from = '2026-03-01';
  const to = '2026-03-31';
  // Each node has its state's ingest key and its admin key (docs/authentication.md).
  let region: RunningRegion;
  const posted: SyntheticMovement[] = [];
  const eventIds = new Map<string, string>(); // recordId -> eventId
  const withdrawn = new Set<string>(); // recordIds retracted
  let throughput = 0;

  /** Answers move only with releases: cut one (the aggregator's admin) holding everything posted. */
  const release = () => region.release({ dataUntil: to });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, read member by member
  const flows = async (query: string): Promise<any> => {
    await release();
    const res = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&${query}`, { headers: region.as('secretariat') });
    expect(res.status).toBe(200);
    return res.json();
  };
  const routeOf = (m: SyntheticMovement) => `${m.departedFrom ?? 'ZZ'}>${m.provider}>${m.intendedDestination ?? 'ZZ'}`;
  const expectedByRouteAndCategory = (movements: SyntheticMovement[]) => {
    const counts = new Map<string, number>();
    for (const m of movements) {
      const key = `${routeOf(m)}|${m.category}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts]
      .map(([key, count]) => {
        const [route, category] = key.split('|');
        return { period: '2026-03', route, category, count };
      })
      .sort((a, b) => (a.route + a.category < b.route + b.category ? -1 : 1));
  };
  const actualByRouteAndCategory = async () => {
    const answer = await flows('granularity=month&groupBy=route,category');
    return [...answer.rows].sort((a: { route: string; category: string }, b: { route: string; category: string }) =>
      a.route + a.category < b.route + b.category ? -1 : 1,
    );
  };
  const caughtUp = async (expectedTotal: number) =>
    waitFor(async () => (await flows('granularity=month')).totals.count === expectedTotal, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: `${expectedTotal} movements projected`,
    });

  beforeAll(async () => {
    // Each state lets the secretariat see everything at the finest level, so counts can be checked
    // exactly; the privacy test reads every log level.
    region = await startRegion({ name: 'e2e', states: providers, grants: [{ ...OPEN_TERMS, recipient: 'secretariat' }], env: { LOG_LEVEL: 'debug' } });
  });

  afterAll(() => region?.close());

  it('projects exactly what the nodes accepted, grouped by route and category', async () => {
    const records = [...generateMovements({ seed: 7, from, to, scale: 0.006, providers: [...providers], recordIdPrefix: `E2E${suffix}-` })];
    expect(records.length).toBeGreaterThan(2000);
    const started = Date.now();
    for (const state of providers) {
      const mine = records.filter((r) => r.provider === state);
      for (const batch of batches(mine, 500)) {
        const answer = await postMovements(region.node(state).url, batch.map(toRawMovement), region.ingest(state));
        expect(answer.accepted).toBe(batch.length);
        answer.results.forEach((r) => eventIds.set(r.recordId, r.eventId));
        posted.push(...batch);
      }
    }
    await caughtUp(posted.length);
    throughput = posted.length / ((Date.now() - started) / 1000);
    console.log(`e2e: ${posted.length} movements from ${providers.length} nodes projected at ${throughput.toFixed(0)} movements/s`);

    expect(await actualByRouteAndCategory()).toEqual(expectedByRouteAndCategory(posted));
  });

  it("refuses records sent without the state's own key, and nothing of them reaches the regional flows", async () => {
    const fresh = [...generateMovements({ seed: 9, from, to, scale: 0.0005, providers: ['IR'], recordIdPrefix: `E2E${suffix}-auth-` })];
    expect(fresh.length).toBeGreaterThan(0);
    const raw = fresh.map(toRawMovement);
    const attempt = (headers: Record<string, string>) => postMovements(region.node('IR').url, raw, headers);
    await expect(attempt({})).rejects.toThrow(/: 401 /);
    await expect(attempt(region.ingest('AF'))).rejects.toThrow(/: 401 /); // Afghanistan's key is unknown to Iran's node
    await expect(attempt(region.nodeAdmin('IR'))).rejects.toThrow(/: 403 /);
    await expect(attempt({ 'x-caravanserai-principal': 'state:IR' })).rejects.toThrow(/: 401 /);
    // Nothing was stored: the same records are new to the node, and the flows hold exactly what it accepted.
    const answer = await attempt(region.ingest('IR'));
    expect(answer).toMatchObject({ accepted: fresh.length, duplicates: 0 });
    answer.results.forEach((r) => eventIds.set(r.recordId, r.eventId));
    posted.push(...fresh);
    await caughtUp(posted.length);
    expect(await actualByRouteAndCategory()).toEqual(expectedByRouteAndCategory(posted));
  });

  it('changes nothing when the same batch is posted again', async () => {
    const state = 'IR';
    const again = posted.filter((r) => r.provider === state).slice(0, 500);
    const answer = await postMovements(region.node(state).url, again.map(toRawMovement), region.ingest(state));
    expect(answer).toMatchObject({ accepted: 0, duplicates: again.length });
    expect(answer.results.map((r) => r.eventId)).toEqual(again.map((r) => eventIds.get(r.recordId)));
    // Let any (wrongly) published event reach the projection before comparing.
    await waitFor(async () => (await region.lag()) === 0);
    expect(await actualByRouteAndCategory()).toEqual(expectedByRouteAndCategory(posted));
  });

  it('takes retracted movements back out of the regional flows', async () => {
    const toWithdraw = posted.filter((_, i) => i % 97 === 0);
    toWithdraw.forEach((m) => withdrawn.add(m.recordId));
    for (const m of toWithdraw) {
      const res = await fetch(`${region.node(m.provider).url}/v1/movements/${eventIds.get(m.recordId)}/retraction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...region.ingest(m.provider) },
        body: JSON.stringify({ reason: 'wrong_record' }),
      });
      expect(res.status).toBe(201);
    }
    const again = await fetch(`${region.node(toWithdraw[0].provider).url}/v1/movements/${eventIds.get(toWithdraw[0].recordId)}/retraction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...region.ingest(toWithdraw[0].provider) },
      body: JSON.stringify({ reason: 'wrong_record' }),
    });
    expect(again.status).toBe(409);

    const remaining = posted.filter((m) => !withdrawn.has(m.recordId));
    await caughtUp(remaining.length);
    expect(await actualByRouteAndCategory()).toEqual(expectedByRouteAndCategory(remaining));

    const csv = await (
      await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route,category`, {
        headers: { accept: 'text/csv', ...region.as('secretariat') },
      })
    ).text();
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .filter((l) => !l.startsWith('#'));
    expect(lines[0]).toBe('period,route,category,count');
    expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split(',')[3]), 0)).toBe(remaining.length);
  });

  it('keeps delivering after the broker restarts', async () => {
    execFileSync('bash', ['deploy/kafka/kafka.sh', 'restart'], { stdio: 'inherit' });
    const more = [...generateMovements({ seed: 8, from, to, scale: 0.002, providers: [...providers], recordIdPrefix: `E2E${suffix}-after-` })];
    for (const state of providers) {
      const mine = more.filter((r) => r.provider === state);
      if (mine.length === 0) continue;
      const answer = await postMovements(region.node(state).url, mine.map(toRawMovement), region.ingest(state));
      expect(answer.accepted).toBe(mine.length);
      answer.results.forEach((r) => eventIds.set(r.recordId, r.eventId));
    }
    posted.push(...more);
    const remaining = posted.filter((m) => !withdrawn.has(m.recordId));
    await caughtUp(remaining.length);
    expect(await actualByRouteAndCategory()).toEqual(expectedByRouteAndCategory(remaining));
  });

  it('rebuilds the projection from the regional event log to exactly the live one (npm run rebuild)', async () => {
    const everything = `granularity=day&groupBy=${['provider', 'borderCrossingPoint', 'direction', 'route', 'citizenship', 'category', 'sex', 'ageBand'].join(',')}`;
    const live = await flows(everything);
    expect(live.rows.length).toBeGreaterThan(100);
    execFileSync(process.execPath, ['dist/apps/aggregator/src/rebuild.js'], {
      env: { ...process.env, DATABASE_URL: region.aggregatorDb, NO_COLOR: '1' },
      stdio: 'inherit',
    });
    // The next release reads the rebuilt projection: the same figures.
    const rebuilt = await flows(everything);
    expect(rebuilt.release.id).toBeGreaterThan(live.release.id);
    expect({ rows: rebuilt.rows, totals: rebuilt.totals }).toEqual({ rows: live.rows, totals: live.totals });
  });

  /** Requests carrying a canary value in a record (accepted and refused), in headers, in query
   * parameters, in a path and in an invalid request id, to every service: none may log it. */
  const sendCanaries = async (canary: string): Promise<string[]> => {
    const ids: string[] = [];
    const send = async (url: string, init: RequestInit & { headers: Record<string, string> }) => {
      const id = `probe-${ids.length}-${suffix}`;
      const res = await fetch(url, {
        ...init,
        headers: { 'x-request-id': id, 'user-agent': canary, 'x-note': canary, referer: `http://example.org/${canary}`, ...init.headers },
      });
      const returned = res.headers.get('x-request-id')!;
      // A plain token comes back as sent; free text is replaced by a fresh uuid.
      if (init.headers['x-request-id']) expect(returned).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      else expect(returned).toBe(id);
      ids.push(returned);
      return res;
    };
    const json = { 'content-type': 'application/json' };
    const node = region.node('AF');
    const record = {
      ...toRawMovement([...generateMovements({ seed: 11, from, to, scale: 0.001, providers: ['AF'], recordIdPrefix: `E2E${suffix}-c-` })][0]),
      recordId: `E2E${suffix}-canary`,
      fullName: `${canary} Karimi`,
      documentNumber: canary,
      phone: canary,
      address: `${canary} street`,
      notes: canary,
    };
    const accepted = await send(`${node.url}/v1/movements?fullName=${canary}`, {
      method: 'POST',
      headers: { ...json, ...region.ingest('AF') },
      body: JSON.stringify({ records: [record] }),
    });
    expect(accepted.status).toBe(200);
    posted.push({ ...record, provider: 'AF' } as SyntheticMovement);
    const refused = await send(`${node.url}/v1/movements`, {
      method: 'POST',
      headers: { ...json, ...region.ingest('AF') },
      body: JSON.stringify({ records: [{ ...record, recordId: `E2E${suffix}-canary-2`, crossedAt: canary }] }),
    });
    expect([400, 422]).toContain(refused.status);
    expect(((await refused.json()) as { requestId: string }).requestId).toBe(refused.headers.get('x-request-id'));
    expect((await send(`${node.url}/v1/agreements/${canary}`, { headers: region.nodeAdmin('AF') })).status).toBeGreaterThanOrEqual(400);
    expect(
      (await send(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&groupBy=${canary}&${canary}=1`, { headers: region.as('secretariat') })).status,
    ).toBe(400);
    expect(
      (await send(`${region.aggregator.url}/v1/${canary}?q=${canary}`, { headers: { ...region.as('secretariat'), 'x-request-id': `${canary} ${canary}` } }))
        .status,
    ).toBe(404);
    expect((await send(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}`, { headers: { authorization: `Bearer cvs_${canary}_x` } })).status).toBe(401);
    return ids;
  };

  it('never stores, logs or publishes the personal data it was sent', async () => {
    const canary = `Canary${suffix}Qz`;
    const canaryRequests = await sendCanaries(canary);
    // Every service's log is JSON lines, and the canary requests are in its access log.
    await waitFor(
      () => {
        const logged = new Set(region.services.flatMap((s) => s.logEntries().map((e) => e.requestId)));
        return canaryRequests.every((id) => logged.has(id));
      },
      { what: 'an access log line for every canary request' },
    );
    const secrets = new Set<string>([canary]);
    for (const m of posted) {
      for (const v of [m.fullName, m.documentNumber, m.phone, m.address, m.notes, m.recordId]) if (v) secrets.add(v);
      // A birth date in the crossing year could equal some crossing day, which is stored on purpose.
      if (m.dateOfBirth && m.dateOfBirth < '2025-01-01') secrets.add(m.dateOfBirth);
    }
    expect(secrets.size).toBeGreaterThan(posted.length);
    const leaks: string[] = [];
    // Every secret at every position of the text, in one pass: each occurrence of a secret starts
    // with its first k characters (k, the shortest secret's length), so only positions whose k
    // characters begin some secret are compared in full. (Each secret against the whole text would
    // take minutes once the feed tables hold a few releases.)
    const k = Math.min(...[...secrets].map((x) => x.length));
    const byPrefix = new Map<string, string[]>();
    for (const x of secrets) byPrefix.set(x.slice(0, k), [...(byPrefix.get(x.slice(0, k)) ?? []), x]);
    const search = (where: string, text: string) => {
      const found = new Set<string>();
      for (let i = 0; i + k <= text.length; i++) {
        for (const x of byPrefix.get(text.slice(i, i + k)) ?? []) if (!found.has(x) && text.startsWith(x, i)) found.add(x);
      }
      for (const x of found) leaks.push(`${where}: ${x}`);
    };

    for (const url of region.databases) {
      const pool = new Pool({ connectionString: url, max: 1 });
      try {
        const { rows: tables } = await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
        for (const { tablename } of tables) {
          const { rows } = await pool.query(`SELECT t::text AS line FROM "${tablename}" AS t`);
          search(`${url.split('/').pop()}.${tablename}`, rows.map((r) => r.line).join('\n'));
        }
      } finally {
        await pool.end();
      }
    }
    for (const s of region.services) search(`${s.name} log`, s.log());

    const kafka = createKafka(`e2e-privacy-${suffix}`, TEST_KAFKA_BROKERS);
    const consumer = kafka.consumer({ groupId: `e2e-privacy-${suffix}` });
    const messages: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: region.topic('movements'), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(`${message.key}\n${message.value}`) });
    await waitFor(() => messages.length >= posted.length + withdrawn.size, { what: 'every message of the topic' });
    await consumer.disconnect();
    search('kafka', messages.join('\n'));

    expect(leaks).toEqual([]);
  });

  it('serves metrics a Prometheus scraper reads: process metrics, HTTP durations by route template, its own', async () => {
    for (const [service, headers, own, route] of [
      [region.aggregator, region.as('admin'), 'caravanserai_consumer_lag', { method: 'GET', route: '/v1/flows', status_code: '200' }],
      [region.node('AF'), region.nodeAdmin('AF'), 'caravanserai_outbox_backlog', { method: 'POST', route: '/v1/movements', status_code: '200' }],
    ] as const) {
      const res = await fetch(`${service.url}/metrics`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusText(await res.text());
      expect(families.get('process_resident_memory_bytes')?.samples[0].value).toBeGreaterThan(10_000_000);
      expect(families.get('nodejs_heap_size_used_bytes')?.samples[0].value).toBeGreaterThan(0);
      expect(families.get('nodejs_eventloop_lag_seconds')?.samples[0].value).toBeGreaterThanOrEqual(0);
      expect(families.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
      expect(families.get(own)?.samples.length).toBeGreaterThan(0);
      const http = families.get('http_request_duration_seconds')!;
      expect(http.type).toBe('histogram');
      const counts = http.samples.filter((s) => s.name === 'http_request_duration_seconds_count');
      expect(counts.find((s) => JSON.stringify(s.labels) === JSON.stringify(route))?.value).toBeGreaterThan(0);
      // Route templates, never a URL: nothing of a query, an id or a path a caller made up.
      for (const { labels } of counts) {
        expect(labels.route).toMatch(/^((\/([a-z0-9._-]+|:[A-Za-z]+))+|unmatched)$/);
        expect(labels.route).not.toMatch(/canary/i);
      }
      if (service === region.aggregator) expect(counts.map((s) => s.labels.route)).toContain('unmatched'); // the canary path
    }
  });

  it('logs one JSON object per line, an access line per request with the id returned to the caller', async () => {
    const id = `e2e-trace-${suffix}`;
    const ok = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}`, { headers: { ...region.as('secretariat'), 'x-request-id': id } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe(id);
    const bad = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&groupBy=shoeSize`, { headers: region.as('secretariat') });
    expect(bad.status).toBe(400);
    const badId = bad.headers.get('x-request-id')!;
    expect(badId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await bad.json()).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/groupBy/), requestId: badId });

    const access = (requestId: string) => region.aggregator.logEntries().find((e) => e.context === 'http' && e.requestId === requestId);
    await waitFor(() => access(id) && access(badId), { what: 'the access log lines' });
    expect(access(id)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      context: 'http',
      message: 'request',
      requestId: id,
      method: 'GET',
      route: '/v1/flows',
      status: 200,
      durationMs: expect.any(Number),
      principal: 'secretariat',
    });
    expect(access(badId)).toMatchObject({ route: '/v1/flows', status: 400 });
    for (const s of region.services) {
      const entries = s.logEntries(); // throws on a line that is not a JSON object
      expect(entries.length).toBeGreaterThan(10);
      for (const e of entries) {
        expect(typeof e.time === 'string' && typeof e.message === 'string').toBe(true);
        expect(['fatal', 'error', 'warn', 'info', 'debug', 'verbose']).toContain(e.level);
        if (e.context === 'http') expect(e.requestId).toEqual(expect.any(String));
      }
    }
  });

  it('answers bad queries with a 400 that says what is allowed', async () => {
    const res = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&groupBy=route,shoeSize`, { headers: region.as('secretariat') });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/groupBy accepts only: route, provider/);
    const dates = await fetch(`${region.aggregator.url}/v1/flows?from=2026-02-30&to=${to}`, { headers: region.as('secretariat') });
    expect(dates.status).toBe(400);
    const anonymous = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}`);
    expect(anonymous.status).toBe(401);
  });
});
