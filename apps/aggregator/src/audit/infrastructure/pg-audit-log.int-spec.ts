import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase } from '@caravanserai/testing';
import { Pool } from 'pg';
import { listingEntry } from '../domain/audit-entry';
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
    log = new PgAuditLog(pool);
    await log.append(entry('secretariat', ['IR', 'PK']));
    await log.append(entry('org:UNHCR', ['PK'], `'; DROP TABLE audit_log; -- ’`));
    await log.append(entry('state:IR', ['IR']));
    await log.append(entry('state:AF', []));
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('shows the secretariat everything, newest first, and a state what concerns its data or it asked', async () => {
    expect((await log.list({ scope: { kind: 'all' }, limit: 10 })).map((e) => e.principal)).toEqual(['state:AF', 'state:IR', 'org:UNHCR', 'secretariat']);
    expect((await log.list({ scope: { kind: 'state', state: 'PK', principal: 'state:PK' }, limit: 10 })).map((e) => e.principal)).toEqual(['org:UNHCR', 'secretariat']);
    expect((await log.list({ scope: { kind: 'state', state: 'AF', principal: 'state:AF' }, limit: 10 })).map((e) => e.principal)).toEqual(['state:AF']);
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

  it('writes concurrent appends together, each resolved once its row is stored, and one bad entry fails only its own', async () => {
    const other = new Pool({ connectionString: url, max: 2 });
    const grouped = new PgAuditLog(other);
    try {
      const before = Number((await pool.query(`SELECT count(*) FROM audit_log WHERE principal LIKE 'burst:%'`)).rows[0].count);
      const statementsBefore = Number((await pool.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit);
      // A NUL cannot be stored in text: that entry's insert fails, the others' must not.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => grouped.append(entry(`burst:${i}`, ['IR', `P${i % 3}`], i === 17 ? 'bad\u0000purpose' : `why ${i}`))),
      );
      expect(outcomes.filter((o) => o.status === 'rejected').length).toBe(1);
      expect(outcomes[17].status).toBe('rejected');
      const { rows } = await pool.query(`SELECT principal, providers, purpose FROM audit_log WHERE principal LIKE 'burst:%' ORDER BY id`);
      expect(rows.length - before).toBe(39);
      expect(rows.find((r) => r.principal === 'burst:5')).toEqual({ principal: 'burst:5', providers: ['IR', 'P2'], purpose: 'why 5' });
      expect(rows.some((r) => r.principal === 'burst:17')).toBe(false);
      // Grouped: far fewer commits than entries (the first goes alone, the rest wait for it).
      const statementsAfter = Number((await pool.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit);
      expect(statementsAfter - statementsBefore).toBeLessThan(40);
    } finally {
      await other.end();
    }
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
