import { generateMovements, OPEN_TERMS, postMovements, toRawMovement } from '@caravanserai/synthetic';
import { RunningRegion, startRegion, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Agent, request as httpRequest } from 'node:http';
import { Pool } from 'pg';

/**
 * The attacks of issue 5, each against the running services: SQL metacharacters in every query
 * parameter, a 50 MB body, a flood from one caller; and the audit trail that records every
 * answered query. Each ends in its documented status with nothing stored, projected or leaked.
 */
describe('security: audit trail and hardening, end to end', () => {
  const suffix = uniqueSuffix();
  const from = '2026-03-01';
  const to = '2026-03-31';
  let region: RunningRegion;
  let nodePool: Pool;
  let posted = 0;
  /** Each caller's key: aggregator readers by principal, the aggregator's `admin`, and the node's `node:ingest` / `node:admin`. */
  const as = (who: string): Record<string, string> =>
    who === 'node:ingest' ? region.ingest('AF') : who === 'node:admin' ? region.nodeAdmin('AF') : region.as(who);

  const get = (base: string, path: string, who: string | null = 'secretariat', headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { ...(who ? as(who) : {}), ...headers } });

  /** Every table's row count and a digest of its content. */
  const snapshot = async (pool: Pool, except: string[] = []) => {
    const { rows } = await pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const out: Record<string, string> = {};
    for (const { tablename } of rows.filter((r) => !except.includes(r.tablename))) {
      const r = await pool.query(`SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${tablename}" t`);
      out[tablename] = `${r.rows[0].n} ${r.rows[0].digest}`;
    }
    return out;
  };
  // The feed writer records what it computes for each recipient's feed (endpoint `FEED <kind>`) in
  // the background, whenever a release or an agreement is new: the counts here are of queries.
  const auditCount = async () => Number((await region.pool.query(`SELECT count(*) FROM audit_log WHERE endpoint NOT LIKE 'FEED %'`)).rows[0].count);
  const lastAudit = async (columns = '*') =>
    (await region.pool.query(`SELECT ${columns} FROM audit_log WHERE endpoint NOT LIKE 'FEED %' ORDER BY id DESC LIMIT 1`)).rows[0];

  beforeAll(async () => {
    region = await startRegion({ name: 'e2e-sec', states: ['AF'], readers: ['secretariat', 'state:AF', 'state:IR', 'org:UNHCR'] });
    nodePool = new Pool({ connectionString: region.nodeDbs.get('AF'), max: 2 });
    const records = [...generateMovements({ seed: 5, from, to, scale: 0.002, providers: ['AF'], recordIdPrefix: `SEC${suffix}-` })];
    await postMovements(region.node('AF').url, records.map(toRawMovement), as('node:ingest'));
    posted = records.length;
    await region.grant('AF', { ...OPEN_TERMS, recipient: 'secretariat', minCellSize: 5 });
    // Answers move with releases; AF sees its own data exactly: cut, then ask, until all is in.
    await waitFor(
      async () => {
        await region.release({ dataUntil: to });
        const res = await get(region.aggregator.url, `/v1/flows?from=${from}&to=${to}`, 'state:AF');
        return ((await res.json()) as { totals: { count: number } }).totals.count === posted;
      },
      { timeoutMs: 120_000, what: `AF's ${posted} movements projected` },
    );
  });

  afterAll(async () => {
    await nodePool?.end();
    await region?.close();
  });

  describe('audit trail', () => {
    it('records each answered query with the cells its disclosure block reports, before the answer leaves', async () => {
      const before = await auditCount();
      const res = await get(region.aggregator.url, `/v1/flows?from=${from}&to=${to}&groupBy=route,category&granularity=day`, 'secretariat', {
        'x-caravanserai-purpose': 'monthly bulletin',
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as {
        rows: { count: number }[];
        disclosure: { agreements: { provider: string; agreement: string }[]; method: { protected: unknown[] } };
      };
      expect(answer.disclosure.method.protected).toEqual([{ provider: 'AF', k: 5 }]); // figures protected, none suppressed
      const rows = [await lastAudit()];
      expect(await auditCount()).toBe(before + 1);
      expect(rows[0]).toMatchObject({
        principal: 'secretariat',
        endpoint: 'GET /v1/flows',
        purpose: 'monthly bulletin',
        providers: ['AF'],
        cells_returned: answer.rows.length,
        cells_suppressed: 0,
        totals_suppressed: 0,
        query: expect.objectContaining({ from, to, groupBy: ['route', 'category'], granularity: 'day' }),
      });
      expect(rows[0].agreements.map((a: { agreement: string }) => a.agreement)).toEqual(answer.disclosure.agreements.map((a) => a.agreement));

      const summary = await get(region.aggregator.url, `/v1/referrals/summary?from=${from}&to=${to}&purpose=${encodeURIComponent('case review')}`, 'state:IR');
      expect(summary.status).toBe(200);
      const last = await lastAudit();
      expect(last).toMatchObject({
        principal: 'state:IR',
        endpoint: 'GET /v1/referrals/summary',
        purpose: 'case review',
        cells_returned: 0,
        providers: ['IR'],
      });
      // A state always sees its own data: the trail names IR's own-data basis, though it holds nothing.
      expect(last.agreements).toEqual([expect.objectContaining({ provider: 'IR', agreement: 'own-data' })]);
    });

    it("shows each reader its own queries, a state the others' queries about its data (reduced) with about=mine, the admin every entry; reading is recorded", async () => {
      await get(region.aggregator.url, `/v1/flows?from=${from}&to=${to}&providers=AF`, 'org:UNHCR');
      type Entry = { id: number; principal: string; providers?: string[]; endpoint: string; agreements: { provider: string }[]; [field: string]: unknown };
      const read = async (principal: string, query = '') => {
        const res = await get(region.aggregator.url, `/v1/audit?limit=500${query}`, principal);
        return { status: res.status, body: (await res.json()) as { entries: Entry[]; code?: string } };
      };
      const all = await read('admin');
      expect(all.status).toBe(200);
      const entries = Number((await region.pool.query('SELECT count(*) FROM audit_log')).rows[0].count);
      expect(all.body.entries.length).toBe(entries - 1); // its own read is recorded after it
      expect(all.body.entries.map((e) => e.id)).toEqual([...all.body.entries.map((e) => e.id)].sort((a, b) => b - a));
      const readers = ['secretariat', 'state:AF', 'state:IR', 'org:UNHCR'];
      const own = new Map<string, Entry[]>();
      for (const who of readers) {
        const res = await read(who);
        expect([who, res.status]).toEqual([who, 200]);
        expect(res.body.entries.filter((e) => e.principal !== who)).toEqual([]);
        own.set(who, res.body.entries);
      }
      expect(own.get('state:IR')!.some((e) => e.endpoint === 'GET /v1/referrals/summary')).toBe(true);
      expect(own.get('org:UNHCR')!.some((e) => e.endpoint === 'GET /v1/flows')).toBe(true);
      // Afghanistan sees who else drew on its data, reduced: no parameters, counts or other providers.
      const mine = await read('state:AF', '&about=mine');
      expect(mine.status).toBe(200);
      expect(mine.body.entries.some((e) => e.principal === 'secretariat' && e.endpoint === 'GET /v1/flows')).toBe(true);
      expect(mine.body.entries.some((e) => e.principal === 'org:UNHCR')).toBe(true); // asked about AF by name
      for (const e of mine.body.entries) {
        expect(e.principal).not.toBe('state:AF');
        expect(Object.keys(e).sort()).toEqual(['agreements', 'at', 'endpoint', 'excluded', 'id', 'principal', 'purpose']);
        expect(e.agreements.every((a) => a.provider === 'AF')).toBe(true);
      }
      expect((await read('secretariat', '&about=mine')).status).toBe(403);
      const reads = (await region.pool.query(`SELECT principal FROM audit_log WHERE endpoint = 'GET /v1/audit' ORDER BY id`)).rows.map((r) => r.principal);
      expect(reads).toEqual(['admin', ...readers, 'state:AF']);
      const unhcrQueries = (await read('admin', '&principal=org:UNHCR')).body.entries
        .map((e) => e.endpoint)
        .filter((endpoint) => !endpoint.startsWith('FEED '));
      expect(unhcrQueries).toEqual(['GET /v1/audit', 'GET /v1/flows']);
    });

    it('sends no answer when the audit record cannot be written', async () => {
      await region.pool.query('ALTER TABLE audit_log RENAME TO audit_log_away');
      try {
        const res = await get(region.aggregator.url, `/v1/flows?from=${from}&to=${to}&groupBy=route`);
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({
          type: 'urn:caravanserai:problem:INTERNAL',
          title: 'Internal error',
          status: 500,
          detail: 'internal error',
          instance: expect.stringMatching(/^urn:caravanserai:request:/),
          code: 'INTERNAL',
          message: 'internal error',
          requestId: expect.any(String),
        });
      } finally {
        await region.pool.query('ALTER TABLE audit_log_away RENAME TO audit_log');
      }
    });
  });

  describe('hardening', () => {
    const NASTY = [`' OR 1=1 --`, `"; DROP TABLE flow_counts; --`, '%', '\\', '\u0000', '’ OR ‘1’=‘1', '1); SELECT pg_sleep(10); --'];
    const FLOWS = `from=${from}&to=${to}`;
    const AGGREGATOR_PARAMS: [string, string, string[]][] = [
      [
        '/v1/flows',
        FLOWS,
        ['from', 'to', 'granularity', 'groupBy', 'providers', 'routes', 'categories', 'citizenship', 'direction', 'borderCrossingPoints', 'coarser', 'purpose'],
      ],
      [
        '/v1/referrals/summary',
        FLOWS,
        ['from', 'to', 'granularity', 'groupBy', 'providers', 'categories', 'referredTo', 'stalledAfterHours', 'asOf', 'purpose'],
      ],
      ['/v1/quarantine', '', ['status', 'after', 'limit', 'purpose']],
      ['/v1/audit', '', ['from', 'to', 'principal', 'provider', 'before', 'limit', 'about', 'purpose']],
      ['/v1/agreements', '', ['purpose', 'unknown']],
      ['/v1/nodes', '', ['purpose', 'unknown']],
    ];
    const withParam = (base: string, name: string, value: string) => {
      const params = new URLSearchParams(base);
      params.set(name, value);
      return params.toString();
    };

    it('answers SQL metacharacters in every query parameter with 400 (or, in free text, a correct answer) and changes nothing', async () => {
      // The feeds' tables move in the background (items of a new release, the Kafka relay's progress).
      const background = ['audit_log', 'feed_items', 'feed_marks', 'feed_kafka_progress'];
      const aggBefore = await snapshot(region.pool, background);
      const nodeBefore = await snapshot(nodePool);
      const auditBefore = await auditCount();
      let answered = 0;
      for (const [path, base, names] of AGGREGATOR_PARAMS) {
        for (const name of names) {
          for (const value of NASTY) {
            // Quarantined payloads are for the aggregator's admin only (issue 13).
            const res = await get(region.aggregator.url, `${path}?${withParam(base, name, value)}`, path === '/v1/quarantine' ? 'admin' : 'secretariat');
            const body = await res.text();
            const freeText = name === 'purpose' && value !== '\u0000';
            expect([path, name, value, res.status]).toEqual([path, name, value, freeText ? 200 : 400]);
            // An error names the parameter, never the SQL or the code (a 200 from the trail may
            // rightly echo a purpose that contains SQL).
            if (res.status !== 200) expect(body).not.toMatch(/SELECT|DROP|relation|syntax error|at .*\.js/);
            if (freeText) {
              answered += 1;
              const last = await lastAudit('purpose, endpoint');
              expect(last).toEqual({ purpose: value.trim(), endpoint: `GET ${path}` });
            }
          }
        }
      }
      // The same in the credential itself: not a key, so 401, and nothing read.
      for (const value of NASTY.filter((v) => /^[\x20-\x7e]+$/.test(v))) {
        expect((await get(region.aggregator.url, `/v1/flows?${FLOWS}`, null, { authorization: `Bearer cvs_${value}` })).status).toBe(401);
      }
      // The node's GET endpoints take only path parameters, checked as UUIDs.
      for (const [path, who] of [
        ['/v1/referrals/', 'node:ingest'],
        ['/v1/agreements/', 'node:admin'],
      ]) {
        for (const value of NASTY) expect((await get(region.node('AF').url, `${path}${encodeURIComponent(value)}`, who)).status).toBe(400);
      }
      expect(await snapshot(region.pool, background)).toEqual(aggBefore);
      expect(await snapshot(nodePool)).toEqual(nodeBefore);
      expect(await auditCount()).toBe(auditBefore + answered);
    });

    /** Posts 50 MB of JSON-looking bytes, announced (`content-length`) or streamed (chunked), and
     * stops sending once answered; -1 when the socket failed with no answer at all. */
    const post50MB = (announced: boolean) =>
      new Promise<number>((resolve) => {
        const size = 50 * 1024 * 1024;
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        chunk.write('{"records":[', 0);
        let answered = false;
        const headers = { 'content-type': 'application/json', ...(announced ? { 'content-length': size } : {}) };
        const req = httpRequest(`${region.node('AF').url}/v1/movements`, { method: 'POST', headers }, (res) => {
          answered = true;
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', () => setTimeout(() => resolve(-1), 1000));
        req.flushHeaders();
        (async () => {
          // An announced length is refused before a byte is read; waiting a moment keeps bytes in
          // flight from resetting the socket under the answer.
          if (announced) await new Promise((r) => setTimeout(r, 1000));
          for (let sent = 0; sent < size && !answered && !req.destroyed; sent += chunk.length) {
            if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          }
          if (!answered && !req.destroyed) req.end();
        })().catch(() => undefined);
      });

    it.each([
      ['announced with content-length', true],
      ['streamed without a length', false],
    ])('refuses a 50 MB body %s with 413, stores nothing and stays healthy', async (_how, announced) => {
      const nodeBefore = await snapshot(nodePool);
      expect(await post50MB(announced)).toBe(413);
      expect((await fetch(`${region.node('AF').url}/v1/health`)).status).toBe(200);
      expect(await snapshot(nodePool)).toEqual(nodeBefore);
    });

    it('sends security headers, with a strict policy everywhere but the API explorer', async () => {
      const res = await get(region.aggregator.url, `/v1/flows?${FLOWS}`);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*style-src 'self'(;|$)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const docs = await fetch(`${region.aggregator.url}/docs`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-security-policy')).toContain(`style-src 'self' 'unsafe-inline'`);
      expect((await fetch(`${region.aggregator.url}/docs/swagger-ui-init.js`)).status).toBe(200);
    });

    it('holds one caller flooding 10,000 requests to its limit (429 with Retry-After) while another is served', async () => {
      // A query-only instance on the same database, with a limit low enough to see in a test.
      const { service: limited } = await region.startAggregator({
        name: 'aggregator-limited',
        main: false,
        env: { CONSUME: 'false', RATE_LIMIT_MAX: '100', RATE_LIMIT_WINDOW_MS: '1000' },
      });
      // The feeds' tables move in the background (items of a new release, the Kafka relay's progress).
      const background = ['audit_log', 'feed_items', 'feed_marks', 'feed_kafka_progress'];
      const aggBefore = await snapshot(region.pool, background);
      const answeredBefore = Number(
        (await region.pool.query(`SELECT count(*) FROM audit_log WHERE principal = 'state:AF' AND endpoint NOT LIKE 'FEED %'`)).rows[0].count,
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 64 });
      const statuses: Record<number, number> = {};
      let retryAfter: string | undefined;
      let rateBody = '';
      const one = () =>
        new Promise<void>((resolve) => {
          httpRequest(`${limited.url}/v1/flows?${FLOWS}`, { agent, headers: as('state:AF') }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => {
              statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
              if (res.statusCode === 429 && !retryAfter) [retryAfter, rateBody] = [String(res.headers['retry-after']), text];
              resolve();
            });
          })
            .on('error', () => {
              statuses[0] = (statuses[0] ?? 0) + 1;
              resolve();
            })
            .end();
        });
      const started = Date.now();
      let flooding = true;
      const flood = Promise.all(Array.from({ length: 10_000 }, one)).finally(() => (flooding = false));
      const other: number[] = [];
      while (flooding) {
        other.push((await get(limited.url, `/v1/flows?${FLOWS}`, 'secretariat')).status);
      }
      await flood;
      agent.destroy();
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `flood: 10,000 requests in ${seconds.toFixed(1)} s: ${JSON.stringify(statuses)}; the other caller: ${other.length} requests, ${other.filter((s) => s === 200).length} answered`,
      );

      expect(statuses[0] ?? 0).toBe(0);
      expect(statuses[429]).toBeGreaterThan(5_000);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(0);
      expect(JSON.parse(rateBody)).toEqual({
        type: 'urn:caravanserai:problem:REQUEST.RATE_LIMITED',
        title: 'Too many requests',
        status: 429,
        detail: expect.stringContaining('too many requests'),
        instance: expect.stringMatching(/^urn:caravanserai:request:/),
        code: 'REQUEST.RATE_LIMITED',
        message: expect.stringContaining('too many requests'),
        requestId: expect.any(String),
      });
      expect(other.length).toBeGreaterThan(0);
      expect(other.every((s) => s === 200)).toBe(true);
      expect((await fetch(`${limited.url}/v1/health`)).status).toBe(200);
      // Nothing but the trail of the queries actually answered.
      expect(await snapshot(region.pool, background)).toEqual(aggBefore);
      expect(
        Number((await region.pool.query(`SELECT count(*) FROM audit_log WHERE principal = 'state:AF' AND endpoint NOT LIKE 'FEED %'`)).rows[0].count),
      ).toBe(answeredBefore + (statuses[200] ?? 0));
    });

    it('never puts a stack trace or SQL in an error body', async () => {
      await region.pool.query('DROP TABLE released_flow_counts');
      // A question not asked before in this suite: an answer kept from earlier would not touch the table.
      const res = await get(region.aggregator.url, `/v1/flows?${FLOWS}&groupBy=category&granularity=week`);
      expect(res.status).toBe(500);
      // Only the code, a generic message and the request id the caller can quote to the operator.
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await res.text()).toBe(
        JSON.stringify({
          type: 'urn:caravanserai:problem:INTERNAL',
          title: 'Internal error',
          status: 500,
          detail: 'internal error',
          instance: `urn:caravanserai:request:${requestId}`,
          code: 'INTERNAL',
          message: 'internal error',
          requestId,
        }),
      );
      expect((await fetch(`${region.aggregator.url}/v1/health`)).status).toBe(200);
    });
  });
});
