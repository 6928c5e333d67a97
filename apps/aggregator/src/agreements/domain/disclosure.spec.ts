import fc from 'fast-check';
import { CellInput, disclose, DisclosedAnswer } from './disclosure';

/** Rank of a matrix of small integers, by exact fraction-free elimination. */
function rank(rows: bigint[][]): number {
  const m = rows.map((r) => [...r]);
  let r = 0;
  const cols = m[0]?.length ?? 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    const pivot = m.findIndex((row, i) => i >= r && row[c] !== 0n);
    if (pivot < 0) continue;
    [m[r], m[pivot]] = [m[pivot], m[r]];
    for (let i = 0; i < m.length; i++) {
      if (i === r || m[i][c] === 0n) continue;
      const a = m[r][c];
      const b = m[i][c];
      m[i] = m[i].map((v, j) => v * a - m[r][j] * b);
    }
    r += 1;
  }
  return r;
}

/**
 * The suppressed values an attacker could compute from one answer by linear combination of what
 * it publishes: every period's cells add up to its total, the period totals to the grand total.
 */
function derivable(cells: CellInput[], answer: DisclosedAnswer): string[] {
  const unknowns: string[] = [];
  answer.cells.forEach((c) => c.count === null && unknowns.push(`cell:${c.key}`));
  answer.byPeriod.forEach((t) => t.count === null && unknowns.push(`period:${t.period}`));
  if (answer.total.count === null) unknowns.push('total');
  const index = new Map(unknowns.map((u, i) => [u, i]));
  const equations: bigint[][] = [];
  const periods = [...new Set(cells.map((c) => c.period))];
  for (const p of periods) {
    const row = unknowns.map(() => 0n);
    answer.cells.filter((c) => c.period === p && c.count === null).forEach((c) => (row[index.get(`cell:${c.key}`)!] = 1n));
    if (index.has(`period:${p}`)) row[index.get(`period:${p}`)!] = -1n;
    if (row.some((v) => v !== 0n)) equations.push(row);
  }
  const grand = unknowns.map(() => 0n);
  periods.forEach((p) => index.has(`period:${p}`) && (grand[index.get(`period:${p}`)!] = 1n));
  if (index.has('total')) grand[index.get('total')!] = -1n;
  if (grand.some((v) => v !== 0n)) equations.push(grand);
  const base = rank(equations);
  return unknowns.filter((u, i) => {
    const unit = unknowns.map((_, j) => (j === i ? 1n : 0n));
    return rank([...equations, unit]) === base; // the unit vector is in the row space: determined
  });
}

const cell = (key: string, period: string, contributions: Record<string, number>): CellInput => ({ key, period, contributions });
const k5 = () => 5;

describe('disclose', () => {
  it('publishes everything when no provider has a small cell', () => {
    const a = disclose([cell('a', '2026-01', { IR: 10 }), cell('b', '2026-01', { IR: 7, PK: 9 })], k5);
    expect(a.cells.map((c) => c.count)).toEqual([10, 16]);
    expect(a.total).toEqual({ count: 26 });
    expect(a.counts).toMatchObject({ primary: 0, complementary: 0 });
  });

  it('suppresses a small cell and the smallest other cell of its period, keeping the totals', () => {
    const a = disclose([cell('a', 'p', { IR: 2 }), cell('b', 'p', { IR: 40 }), cell('c', 'p', { IR: 12 })], k5);
    expect(a.cells).toEqual([
      { key: 'a', period: 'p', count: null, suppressed: 'small_cell' },
      { key: 'b', period: 'p', count: 40 },
      { key: 'c', period: 'p', count: null, suppressed: 'complementary' },
    ]);
    expect(a.byPeriod).toEqual([{ period: 'p', count: 54 }]);
    expect(derivable([], a)).toEqual([]);
  });

  it('keeps adding complementary cells until the suppressed sum cannot pin a cell below k', () => {
    // a + b = 2 (< k + n − 1 = 6) would tell that both are 1, although both are suppressed;
    // with c, 8 ≥ 7 leaves each of the three anywhere between 1 and 6.
    const a = disclose([cell('a', 'p', { IR: 1 }), cell('b', 'p', { IR: 1 }), cell('c', 'p', { IR: 6 }), cell('d', 'p', { IR: 30 })], k5);
    expect(a.cells.map((c) => c.suppressed ?? c.count)).toEqual(['small_cell', 'small_cell', 'complementary', 30]);
    const b = disclose([cell('a', 'p', { IR: 1 }), cell('b', 'p', { IR: 1 }), cell('c', 'p', { IR: 5 }), cell('d', 'p', { IR: 30 })], k5);
    expect(b.cells.map((c) => c.suppressed ?? c.count)).toEqual(['small_cell', 'small_cell', 'complementary', 30]);
  });

  it("suppresses a mixed cell when one provider's part is small, whatever the other parts", () => {
    const a = disclose([cell('a', 'p', { IR: 500, PK: 2 }), cell('b', 'p', { IR: 300 }), cell('c', 'p', { PK: 50 })], k5);
    expect(a.cells.find((c) => c.key === 'a')).toMatchObject({ count: null, suppressed: 'small_cell' });
    expect(a.cells.filter((c) => c.count === null)).toHaveLength(2);
  });

  it('suppresses the period total and the grand total when a lone cell cannot be protected', () => {
    const a = disclose([cell('a', 'p1', { IR: 2 }), cell('b', 'p2', { IR: 100 })], k5);
    expect(a.byPeriod).toEqual([
      { period: 'p1', count: null, suppressed: 'small_total' },
      { period: 'p2', count: 100 },
    ]);
    // IR's 102 records in all are not few, but the total would give p1's away.
    expect(a.total).toEqual({ count: null, suppressed: 'complementary' });
    expect(derivable([cell('a', 'p1', { IR: 2 }), cell('b', 'p2', { IR: 100 })], a)).toEqual([]);
  });

  it('uses each provider its own k', () => {
    const a = disclose([cell('a', 'p', { IR: 3 }), cell('b', 'p', { PK: 3 }), cell('c', 'p', { PK: 9 })], (p) => (p === 'IR' ? 2 : 4));
    // IR's 3 ≥ 2 is not small; PK's 3 < 4 is, and needs a complement: IR's 3 (3 + 3 ≥ 4 + 1).
    expect(a.cells.map((c) => c.suppressed ?? c.count)).toEqual(['complementary', 'small_cell', 9]);
  });

  it('answers the same question the same way', () => {
    const cells = [cell('x', 'p', { IR: 1 }), cell('y', 'p', { IR: 8 }), cell('z', 'p', { IR: 8 })];
    const byKey = (a: ReturnType<typeof disclose>) => [...a.cells].sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(byKey(disclose([...cells].reverse(), k5))).toEqual(byKey(disclose(cells, k5)));
    // y and z are equal; the tie is broken by key, so y is always the complement.
    expect(disclose(cells, k5).cells.map((c) => c.suppressed ?? c.count)).toEqual(['small_cell', 'complementary', 8]);
  });

  const arbTable = fc
    .tuple(
      fc.integer({ min: 1, max: 3 }), // periods
      fc.integer({ min: 1, max: 6 }), // cells per period
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }), // k of IR, PK, TR
      fc.array(fc.tuple(fc.nat(12), fc.nat(12), fc.nat(3)), { minLength: 18, maxLength: 18 }),
    )
    .map(([periods, perPeriod, ks, values]) => {
      const providers = ['IR', 'PK', 'TR'];
      const cells: CellInput[] = [];
      let i = 0;
      for (let p = 0; p < periods; p++) {
        for (let c = 0; c < perPeriod; c++) {
          const [a, b, t] = values[i++ % values.length];
          const contributions: Record<string, number> = {};
          if (a) contributions.IR = a;
          if (b && (c + p) % 2 === 0) contributions.PK = b;
          if (t) contributions.TR = t;
          if (Object.keys(contributions).length) cells.push(cell(`c${p}-${c}`, `p${p}`, contributions));
        }
      }
      const k = (provider: string) => ks[providers.indexOf(provider)];
      return { cells, k };
    });

  it('never lets a suppressed value be derived from the answer by linear combination (property)', () => {
    fc.assert(
      fc.property(arbTable, ({ cells, k }) => {
        const answer = disclose(cells, k);
        expect(derivable(cells, answer)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never publishes a cell or total in which a provider has fewer than its k records (property)', () => {
    fc.assert(
      fc.property(arbTable, ({ cells, k }) => {
        const answer = disclose(cells, k);
        answer.cells.forEach((out, i) => {
          if (out.count === null) return;
          for (const [p, n] of Object.entries(cells[i].contributions)) expect(n === 0 || n >= k(p)).toBe(true);
        });
        for (const t of answer.byPeriod) {
          if (t.count === null) continue;
          const parts: Record<string, number> = {};
          cells.filter((c) => c.period === t.period).forEach((c) => Object.entries(c.contributions).forEach(([p, n]) => (parts[p] = (parts[p] ?? 0) + n)));
          for (const [p, n] of Object.entries(parts)) expect(n >= k(p)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
