import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase } from '@caravanserai/testing';
import { Pool } from 'pg';
import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import { answerEntry, listingEntry } from '../domain/audit-entry';
import { RequestRoundTrips } from '../../infrastructure/request-round-trips';
import { PgAuditLog } from './pg-audit-log';

/** The trail on the real PostgreSQL: appended, read per scope, and never changed. */
describe('PgAuditLog (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let log: PgAuditLog;
  const entry = (principal: string, providers: string[], purpose: string | null = null) =>
    listingEntry({ principal, endpoint: 'GET /v1/flows', query: { from: '2026-03-01' }, purpose }, 1, providers);

  beforeAll(async () => {
    url = await freshTestDatabase('audit_log');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 2 });
    log = new PgAuditLog(pool, new RequestRoundTrips(pool));
    await log.append(entry('secretariat', ['IR', 'PK']));
    await log.append(entry('org:UNHCR', ['PK'], `'; DROP TABLE audit_log; -- ’`));
    await log.append(entry('state:IR', ['IR']));
    await log.append(entry('state:AF', []));
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it("shows the admin everything, newest first, a caller its own queries, and a state the others' queries about its data", async () => {
    expect((await log.list({ scope: { kind: 'all' }, limit: 10 })).map((e) => e.principal)).toEqual(['state:AF', 'state:IR', 'org:UNHCR', 'secretariat']);
    expect((await log.list({ scope: { kind: 'own', principal: 'secretariat' }, limit: 10 })).map((e) => e.principal)).toEqual(['secretariat']);
    expect((await log.list({ scope: { kind: 'own', principal: 'state:PK' }, limit: 10 })).map((e) => e.principal)).toEqual([]);
    expect((await log.list({ scope: { kind: 'about', state: 'PK', principal: 'state:PK' }, limit: 10 })).map((e) => e.principal)).toEqual([
      'org:UNHCR',
      'secretariat',
    ]);
    // Iran's own query is in its own scope, not among the others' about its data.
    expect((await log.list({ scope: { kind: 'about', state: 'IR', principal: 'state:IR' }, limit: 10 })).map((e) => e.principal)).toEqual(['secretariat']);
    expect((await log.list({ scope: { kind: 'own', principal: 'state:IR' }, limit: 10 })).map((e) => e.principal)).toEqual(['state:IR']);
  });

  it('filters by caller, state and time, and pages by id', async () => {
    const all = await log.list({ scope: { kind: 'all' }, limit: 10 });
    expect((await log.list({ scope: { kind: 'all' }, principal: 'state:IR', limit: 10 })).map((e) => e.id)).toEqual([all[1].id]);
    expect((await log.list({ scope: { kind: 'all' }, provider: 'IR', limit: 10 })).map((e) => e.principal)).toEqual(['state:IR', 'secretariat']);
    expect(await log.list({ scope: { kind: 'all' }, from: '2999-01-01', limit: 10 })).toEqual([]);
    expect(await log.list({ scope: { kind: 'all' }, to: '2000-01-01', limit: 10 })).toEqual([]);
    const page = await log.list({ scope: { kind: 'all' }, before: all[1].id, limit: 1 });
    expect(page.map((e) => e.id)).toEqual([all[2].id]);
    // Stored as given, never spliced into SQL.
    expect(page[0].purpose).toBe(`'; DROP TABLE audit_log; -- ’`);
  });

  it('writes concurrent appends together: a few transactions for forty entries, each resolved once its row is stored', async () => {
    const grouped = new PgAuditLog(pool, new RequestRoundTrips(pool));
    const writes = Array.from({ length: 40 }, (_, i) => grouped.append(entry(`group:${i}`, ['IR', `P${i % 3}`], `why ${i}`)));
    await Promise.all(writes);
    const { rows } = await pool.query(`SELECT principal, providers, purpose, xmin::text AS tx FROM audit_log WHERE principal LIKE 'group:%' ORDER BY id`);
    expect(rows.map((r) => r.principal)).toEqual(Array.from({ length: 40 }, (_, i) => `group:${i}`));
    expect(rows[5]).toMatchObject({ providers: ['IR', 'P2'], purpose: 'why 5' });
    // The first goes alone; the 39 that arrived while it was in flight go in the next INSERT.
    expect(new Set(rows.map((r) => r.tx)).size).toBe(2);
  });

  it('fails only the entry the database refuses, not those written with it', async () => {
    const grouped = new PgAuditLog(pool, new RequestRoundTrips(pool));
    // A NUL cannot be stored in text: that entry's insert fails, the others' must not.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => grouped.append(entry(`burst:${i}`, ['IR'], i === 7 ? 'bad\u0000purpose' : `why ${i}`))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    const { rows } = await pool.query(`SELECT principal FROM audit_log WHERE principal LIKE 'burst:%' ORDER BY principal`);
    expect(rows.map((r) => r.principal).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `burst:${i}`)
        .filter((p) => p !== 'burst:7')
        .sort(),
    );
  });

  it("stores an answer's entry as it is, when entries of one answer share its parts (a repeated question)", async () => {
    const disclosure = {
      principal: 'org:UNHCR',
      release: { id: 1, cutAt: '2026-04-01T02:00:00.000Z', dataUntil: '2026-03-31' },
      method: { name: 'cell-key', maxNoise: 3, exact: [], protected: [{ provider: 'PK', k: 3 }] },
      agreements: [
        {
          provider: 'PK',
          agreement: 'g-pk',
          minCellSize: 3,
          minTimeGranularity: 'week',
          dataFrom: null,
          dataUntil: '2026-02-28',
          categories: { include: ['refugee'] },
        },
        {
          provider: 'IR',
          agreement: 'g-ir',
          minCellSize: 5,
          minTimeGranularity: 'month',
          dataFrom: null,
          dataUntil: null,
          categories: null,
          emergency: { id: 'em-1', by: 'secretariat', as: 'declared' },
        },
      ],
      leftOut: [{ provider: 'TM', agreement: 'g-tm', reason: 'the agreement does not allow "route" \\ ’' }],
      coarsened: [],
      notes: [],
    } as unknown as DisclosureReport;
    const answer = { rows: [{}, {}, {}], disclosure };
    const calls = [
      { principal: 'shared:1', endpoint: 'GET /v1/flows', query: { from: '2026-03-01', groupBy: ['route'] }, purpose: null },
      { principal: 'shared:2', endpoint: 'GET /v1/flows', query: { from: '2026-03-01', providers: ['KZ'] }, purpose: 'planning ’"' },
      { principal: 'shared:3', endpoint: 'GET /v1/flows', query: {}, purpose: null },
    ];
    const entries = calls.map((c) => answerEntry(c, answer));
    // The same answer: the same parts, not copies of them (what makes a repeated question cheap).
    expect(entries[2].agreements).toBe(entries[0].agreements);
    expect(entries[2].excluded).toBe(entries[0].excluded);
    const grouped = new PgAuditLog(pool, new RequestRoundTrips(pool));
    await Promise.all(entries.map((e) => grouped.append(e)));
    const stored = (await log.list({ scope: { kind: 'all' }, limit: 100 })).filter((e) => e.principal.startsWith('shared:')).reverse();
    expect(stored.map(({ id: _, at: __, ...e }) => e)).toEqual(entries.map((e) => JSON.parse(JSON.stringify(e))));
    expect(stored[1].providers).toEqual(['IR', 'KZ', 'PK', 'TM']);
    expect(stored[0].agreements[1]).toMatchObject({ provider: 'IR', embargoUntil: null, emergency: { id: 'em-1', by: 'secretariat', as: 'declared' } });
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET principal = 'nobody'`],
    ['DELETE', 'DELETE FROM audit_log'],
    ['TRUNCATE', 'TRUNCATE audit_log'],
  ])('refuses %s at the database', async (op, sql) => {
    await expect(pool.query(sql)).rejects.toThrow(`audit_log is append-only: ${op} refused`);
    const count = Number((await pool.query('SELECT count(*) FROM audit_log')).rows[0].count);
    await expect(pool.query(sql)).rejects.toThrow();
    expect(Number((await pool.query('SELECT count(*) FROM audit_log')).rows[0].count)).toBe(count);
    expect((await pool.query(`SELECT count(*) FROM audit_log WHERE principal = 'nobody'`)).rows[0].count).toBe('0');
  });
});
