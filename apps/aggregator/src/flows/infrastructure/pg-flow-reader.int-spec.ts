import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase } from '@caravanserai/testing';
import { runner } from 'node-pg-migrate';
import { Pool } from 'pg';
import { FLOW_DIMENSIONS, FlowDimension, FlowQuery, Granularity } from '../../answers/flow-answer';
import { addDays, FlowPlan, periodBounds, ProviderCut } from '../../disclosure/domain/policy';
import { cutRelease } from '../../releases/infrastructure/pg-releases';
import { FLOW_COLUMNS } from '../../infrastructure/flow-columns';
import { flowSources, FlowSource, PgFlowReader } from './pg-flow-reader';

/** What every answer read before the rollups and the two-step sums: the day cells alone, each
 * summed straight into every grouping set. */
class DayCellsOnly extends PgFlowReader {
  protected override sources(_from: string, _to: string, _granularity: Granularity, cuts: ProviderCut[]): FlowSource[] {
    return [{ table: 'released_flow_counts', cuts }];
  }
  protected override finestSums(reads: string): string {
    return `(${reads})`;
  }
}

/** A fixed-seed generator (mulberry32), so that a failure can be run again as it was. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  /** Up to `max` of xs, in random order. */
  const some = <T>(xs: readonly T[], max = xs.length): T[] =>
    xs
      .map((x) => [next(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .slice(0, int(0, max))
      .map(([, x]) => x);
  return { next, int, pick, some };
}

const SEED = 183;
const FIRST = '2023-12-01'; // 14 months of cells, over the leap day and two year ends (week 1 of 2025 starts on 30 December 2024)
const LAST = '2025-01-31';
const DATA_UNTIL = '2025-01-20'; // the last month and week are cut short by the release
const CROSSINGS: Record<string, string[]> = { IR: ['IR-DOGHAROUN', 'IR-MILAK'], PK: ['PK-TORKHAM', 'PK-CHAMAN'], TR: ['TR-KAPIKOY', 'TR-GURBULAK'] };
const CATEGORIES = ['refugee', 'asylum_seeker', 'returnee'];
const dayCount = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/**
 * The rollup read (whole weeks or months from released_flow_counts_week/_month, edge days from the
 * day cells), its cells summed first into the finest groups, against the read of the day cells
 * alone summed straight into every grouping set, row for row, for random cells, questions and cuts:
 * the rollups and the two steps change where the sums come from, never what they are.
 */
describe('PgFlowReader over the released rollups (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  const r = random(SEED);

  beforeAll(async () => {
    url = await freshTestDatabase('flows_rollups');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    // Random day cells of three providers: few values per dimension, so a month sums many days' cells
    // into each of its own; counts of every sign (0 is not released), key sums over the whole range.
    const cells = new Map<string, unknown[]>();
    for (let i = 0; i < 30_000; i++) {
      const provider = r.pick(['IR', 'PK', 'TR']);
      const key = [
        addDays(FIRST, r.int(0, dayCount(FIRST, LAST))),
        provider,
        r.pick(CROSSINGS[provider]),
        r.pick(['entry', 'exit']),
        r.pick(['AF', 'ZZ']),
        r.pick(['TR', 'DE']),
        r.pick(['AF', 'SY']),
        r.pick(CATEGORIES),
        r.pick(['male', 'female']),
        r.pick(['0-4', '18-59']),
      ];
      cells.set(key.join('|'), [...key, r.int(-2, 9), r.int(0, 2 ** 32 - 1)]);
    }
    const rows = [...cells.values()];
    await pool.query(
      `INSERT INTO flow_counts (${FLOW_COLUMNS.join(', ')}, count, key_sum)
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[])`,
      FLOW_COLUMNS.map((_, i) => rows.map((row) => row[i])).concat([rows.map((row) => row[10]), rows.map((row) => row[11])]),
    );
    await cutRelease(pool, { dataUntil: DATA_UNTIL, by: 'test', reason: null });
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  const day = () => addDays('2023-11-20', r.int(0, dayCount('2023-11-20', '2025-02-10')));
  /** A random question: ragged days or whole periods, 0-3 dimensions, any filters. */
  const question = (): { query: FlowQuery; from: string; to: string; emergency?: FlowPlan['emergency'] } => {
    const granularity = r.pick<Granularity>(['day', 'week', 'week', 'month', 'month', 'year']);
    let [from, to] = [day(), day()].sort();
    if (r.next() < 0.3) [from, to] = [periodBounds(from, granularity).first, periodBounds(to, granularity).last];
    const query: FlowQuery = { from, to, granularity, groupBy: r.some<FlowDimension>(FLOW_DIMENSIONS, 3) };
    if (r.next() < 0.2) query.categories = r.some(CATEGORIES);
    if (r.next() < 0.2) query.citizenship = ['SY'];
    if (r.next() < 0.2) query.direction = ['exit'];
    if (r.next() < 0.2) query.borderCrossingPoints = r.some(Object.values(CROSSINGS).flat());
    if (r.next() < 0.2) query.routes = r.some(['AF>IR>TR', 'ZZ>PK>DE', 'AF>TR>DE']);
    // Only its scope reaches the read.
    const emergency: FlowPlan['emergency'] =
      r.next() < 0.1
        ? { id: 'e', status: 'in-force', routes: ['AF>IR>DE'], borderCrossingPoints: ['PK-CHAMAN'], declaredAt: '', endsAt: '', underEmergencyTerms: [] }
        : undefined;
    return { query, from, to, emergency };
  };
  /** Random cuts of one to three providers: ragged data periods and embargoes, categories in or out. */
  const cuts = (): ProviderCut[] => {
    const providers = r.some(['IR', 'PK', 'TR']);
    return (providers.length > 0 ? providers : ['IR']).map((provider) => {
      const [firstDay, lastDay] = [day(), day()].sort();
      return {
        provider,
        basis: 'test',
        minCellSize: 1,
        minTimeGranularity: 'day',
        allowBorderCrossingPoints: true,
        dimensions: 'all',
        categories: r.next() < 0.6 ? null : r.next() < 0.5 ? { include: r.some(CATEGORIES) } : { exclude: r.some(CATEGORIES) },
        firstDay: r.next() < 0.3 ? null : firstDay,
        lastDay: r.next() < 0.3 ? null : lastDay,
        exact: true,
      };
    });
  };
  const sorted = (rows: object[]) => rows.map((row) => JSON.stringify(Object.entries(row).sort())).sort();

  it('answers every question from the rollups, summed in two steps, exactly as from the day cells alone summed in one', async () => {
    const rollups = new PgFlowReader(pool);
    const days = new DayCellsOnly(pool);
    let both = 0;
    let answered = 0;
    for (let i = 0; i < 400; i++) {
      const { query, from, to, emergency } = question();
      const c = cuts();
      const expected = await days.parts(query, from, to, query.granularity, c, emergency);
      const actual = await rollups.parts(query, from, to, query.granularity, c, emergency);
      // On a mismatch, the question and the cuts say what to run again.
      expect({ query, cuts: c, rows: sorted(actual) }).toEqual({ query, cuts: c, rows: sorted(expected) });
      if (expected.length > 0) answered++;
      const sources = flowSources(from, to, query.granularity, c);
      if (sources.length === 2 && sources.every((s) => s.cuts.length > 0)) both++;
    }
    // The comparison means something only if most answers hold figures and many read both tables.
    expect(answered).toBeGreaterThan(250);
    expect(both).toBeGreaterThan(150);
  });

  it('sums each rollup row from the released day cells of its period', async () => {
    for (const rollup of ['week', 'month']) {
      const { rows } = await pool.query(
        `SELECT (SELECT count(*) FROM released_flow_counts_${rollup})::int AS rows,
                (SELECT count(*) FROM released_flow_counts)::int AS day_rows,
                (SELECT sum(count)::text || '/' || sum(key_sum)::text FROM released_flow_counts_${rollup}) AS rollup_sums,
                (SELECT sum(count)::text || '/' || sum(key_sum)::text FROM released_flow_counts) AS day_sums,
                (SELECT max(day)::text FROM released_flow_counts_${rollup}) AS last_period`,
      );
      expect(rows[0].rollup_sums).toBe(rows[0].day_sums);
      // Fewer rows than days: periods sum several days' cells into one.
      expect(rows[0].rows).toBeLessThan(rows[0].day_rows);
      expect(rows[0].last_period).toBe(rollup === 'week' ? '2025-01-20' : '2025-01-01');
    }
  });

  it('leaves the cut tables vacuumed (every page visible to all, every range of day pages summarised) and the day cells in day order', async () => {
    // Pages written by the cut's transaction and not visited since carry no hints: the first read of
    // each would look up its rows' transaction and write the page back (docs/benchmark.md).
    const { rows } = await pool.query(
      `SELECT c.relname, c.relpages, c.relallvisible, s.vacuum_count
         FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.relname IN ('released_flow_counts', 'released_flow_counts_week', 'released_flow_counts_month') ORDER BY c.relname`,
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.relpages).toBeGreaterThan(0);
      expect({ table: row.relname, allVisible: row.relallvisible }).toEqual({ table: row.relname, allVisible: row.relpages });
      expect(Number(row.vacuum_count)).toBeGreaterThan(0);
    }
    // Every range of the day cells' pages is summarised in their block-range index: none left to do.
    expect((await pool.query(`SELECT brin_summarize_new_values('released_flow_counts_day') AS n`)).rows[0].n).toBe(0);
    // And the cells lie in day order (PostgreSQL's own statistic: 1 is a table in order; the cells
    // were made in random order).
    const { rows: stats } = await pool.query(`SELECT correlation FROM pg_stats WHERE tablename = 'released_flow_counts' AND attname = 'day'`);
    expect(stats[0].correlation).toBeGreaterThan(0.99);
  });

  it('gives the release already cut its rollups when the migration is applied (and takes them away when undone)', async () => {
    const migration = (direction: 'up' | 'down') =>
      runner({
        databaseUrl: url,
        dir: locateMigrations('aggregator'),
        direction,
        migrationsTable: 'pgmigrations',
        count: 1,
        file: '1765200000000_released-rollups',
        checkOrder: false,
        log: () => {},
        verbose: false,
      });
    const before = (await pool.query(`SELECT * FROM released_flow_counts_month ORDER BY ${FLOW_COLUMNS.join(', ')}`)).rows;
    await migration('down');
    expect((await pool.query(`SELECT to_regclass('released_flow_counts_week') IS NULL AS gone`)).rows[0].gone).toBe(true);
    await migration('up');
    expect((await pool.query(`SELECT * FROM released_flow_counts_month ORDER BY ${FLOW_COLUMNS.join(', ')}`)).rows).toEqual(before);
    expect(Number((await pool.query(`SELECT count(*) FROM released_flow_counts_week`)).rows[0].count)).toBeGreaterThan(0);
  });
});
