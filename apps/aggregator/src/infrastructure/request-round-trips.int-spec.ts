import { parseKey, revokeKey } from '@caravanserai/credentials';
import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase, issueKey } from '@caravanserai/testing';
import { Pool } from 'pg';
import { answerEntry } from '../audit/domain/audit-entry';
import { auditRowJson } from '../audit/infrastructure/audit-rows';
import { PgAuditLog } from '../audit/infrastructure/pg-audit-log';
import type { DisclosureReport } from '../disclosure/domain/disclosure-report';
import { RequestRoundTrips } from './request-round-trips';

/**
 * The requests' key look-ups and audit rows in shared statements, on the real PostgreSQL: far fewer
 * statements than items, every row committed when its `append` resolves, every look-up from a
 * statement that started after it was asked for, and a row the database refuses failing only its
 * own append.
 */
describe('RequestRoundTrips (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let other: Pool;
  let trips: RequestRoundTrips;
  let statements = 0;
  let keyIds: string[];
  const disclosure = {
    principal: 'secretariat',
    release: { id: 1, cutAt: '2026-04-01T02:00:00.000Z', dataUntil: '2026-03-31' },
    method: { name: 'cell-key', maxNoise: 3, exact: [], protected: [{ provider: 'PK', k: 3 }] },
    agreements: [{ provider: 'PK', agreement: 'g-pk', minCellSize: 3, minTimeGranularity: 'week', dataFrom: null, dataUntil: null, categories: null }],
    leftOut: [],
    coarsened: [],
    notes: [],
  } as unknown as DisclosureReport;
  const row = (principal: string, purpose: string | null = null) =>
    auditRowJson(answerEntry({ principal, endpoint: 'GET /v1/flows', query: { from: '2026-03-01' }, purpose }, { rows: [{}], disclosure }));
  const stored = async (principal: string) => Number((await other.query('SELECT count(*) FROM audit_log WHERE principal = $1', [principal])).rows[0].count);

  beforeAll(async () => {
    url = await freshTestDatabase('round_trips');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    other = new Pool({ connectionString: url, max: 2 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    jest.spyOn(pool, 'query').mockImplementation(((...args: unknown[]) => {
      statements++;
      return query(...args);
    }) as never);
    trips = new RequestRoundTrips(pool);
    keyIds = [];
    // One at a time: each issue runs the migrations under their lock.
    for (const p of ['secretariat', 'state:IR', 'org:UNHCR']) keyIds.push(parseKey(await issueKey(url, 'aggregator', p, 'reader'))!.keyId);
  });
  afterAll(async () => {
    await pool?.end();
    await other?.end();
    if (url) await dropTestDatabase(url);
  });

  it('carries concurrent look-ups and audit rows together, each row committed when its append resolves', async () => {
    statements = 0;
    const durableOnResolve: Promise<boolean>[] = [];
    const lookups: Promise<{ stored: { principal: string } | null }>[] = [];
    for (let i = 0; i < 40; i++) {
      durableOnResolve.push(trips.append(row(`together:${i}`)).then(async () => (await stored(`together:${i}`)) === 1));
      lookups.push(trips.lookupKey(keyIds[i % 3]));
    }
    lookups.push(trips.lookupKey('nosuchkey'));
    expect(await Promise.all(durableOnResolve)).toEqual(Array.from({ length: 40 }, () => true));
    const found = await Promise.all(lookups);
    expect(found.slice(0, 3).map((f) => f.stored?.principal)).toEqual(['secretariat', 'state:IR', 'org:UNHCR']);
    expect(found[40].stored).toBeNull();
    // The first item goes alone; all the others arrived while it was in flight: one more statement.
    expect(statements).toBe(2);
  });

  it('reads the registry counter alongside each key, as of a statement after the call', async () => {
    const before = (await trips.lookupKey(keyIds[0])).alongside;
    await other.query(`INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at)
                       VALUES (gen_random_uuid(), 'IR', 'secretariat', '{}', 'active', 1, now(), now())`);
    const after = (await trips.lookupKey(keyIds[0])).alongside;
    expect(BigInt(after as string)).toBeGreaterThan(BigInt(before as string));
    // A revocation by another process (the CLI) applies to the very next look-up.
    await revokeKey(other, keyIds[2]);
    expect((await trips.lookupKey(keyIds[2])).stored).toBeNull();
  });

  it('fails only the row the database refuses: its append, not the look-ups and rows that went with it', async () => {
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => trips.append(row(`burst:${i}`, i === 4 ? 'bad\u0000purpose' : null))),
      ...Array.from({ length: 5 }, () => trips.lookupKey(keyIds[0])),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
      ...Array(5).fill('fulfilled'),
    ]);
    for (const o of outcomes.slice(10)) expect((o as PromiseFulfilledResult<{ stored: { principal: string } }>).value.stored.principal).toBe('secretariat');
    expect((await other.query(`SELECT count(*) FROM audit_log WHERE principal LIKE 'burst:%'`)).rows[0].count).toBe('9');
  });

  it('is what PgAuditLog writes through when the app has it', async () => {
    statements = 0;
    const log = new PgAuditLog(pool, trips);
    await Promise.all([
      trips.lookupKey(keyIds[0]),
      log.append(answerEntry({ principal: 'via-log', endpoint: 'GET /v1/flows', query: {}, purpose: null }, { rows: [], disclosure })),
      trips.lookupKey(keyIds[1]),
    ]);
    expect(await stored('via-log')).toBe(1);
    // The first look-up alone, then the row with the second: two (an insert of its own would make three).
    expect(statements).toBe(2);
  });
});
