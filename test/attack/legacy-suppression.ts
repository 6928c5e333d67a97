// Regression target of the attack suite: a verbatim copy of the cell suppression with complementary
// suppression that answered flows before issue 13 (apps/aggregator/src/agreements/domain/disclosure.ts
// at 9e8629d). Production code no longer has it; the suite shows the attacks break it.

/**
 * Disclosure control for one answer: cell suppression with complementary suppression.
 *
 * An answer is a set of cells grouped by period, with a total per period and a grand total. A
 * cell is *primary* sensitive when some provider contributes to it fewer than that provider's k
 * records (but more than none). Then, within each period, further cells are suppressed
 * (smallest first, ties by key, so the same question is always answered the same way) until
 * either nothing is suppressed, or at least two cells are and their sum is at least
 * k + (n − 1) — so that, even knowing every suppressed cell holds at least one record, none of
 * them can be pinned below k. A period whose cells cannot satisfy this has its total suppressed
 * too, and whenever a period total is suppressed the grand total is as well. With these rules
 * every suppressed value appears only in equations with at least one other unknown, so no
 * linear combination of what is published yields it (the property test checks this with exact
 * elimination).
 */

export interface CellInput {
  key: string;
  period: string;
  /** Records per provider in this cell (only providers with more than zero). */
  contributions: Record<string, number>;
}

export type SuppressionReason = 'small_cell' | 'complementary';

export interface CellOutput {
  key: string;
  period: string;
  count: number | null;
  suppressed?: SuppressionReason;
}

export interface TotalOutput {
  count: number | null;
  suppressed?: 'small_total' | 'complementary';
}

export interface DisclosedAnswer {
  cells: CellOutput[];
  byPeriod: (TotalOutput & { period: string })[];
  total: TotalOutput;
  counts: { cells: number; primary: number; complementary: number; suppressedTotals: number };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const cellTotal = (c: CellInput) => sum(Object.values(c.contributions));
const isSmall = (contributions: Record<string, number>, k: (provider: string) => number) => Object.entries(contributions).some(([p, n]) => n > 0 && n < k(p));

export function disclose(cells: CellInput[], k: (provider: string) => number): DisclosedAnswer {
  const byPeriod = new Map<string, CellInput[]>();
  for (const c of cells) {
    const list = byPeriod.get(c.period) ?? [];
    list.push(c);
    byPeriod.set(c.period, list);
  }
  const suppressed = new Map<string, SuppressionReason>();
  const suppressedPeriods = new Map<string, 'small_total' | 'complementary'>();
  let primary = 0;
  let complementary = 0;

  for (const [period, list] of byPeriod) {
    const inPeriod: Record<string, number> = {};
    for (const c of list) {
      if (isSmall(c.contributions, k)) {
        suppressed.set(c.key, 'small_cell');
        primary += 1;
      }
      for (const [p, n] of Object.entries(c.contributions)) inPeriod[p] = (inPeriod[p] ?? 0) + n;
    }
    if (isSmall(inPeriod, k)) suppressedPeriods.set(period, 'small_total');

    const hit = list.filter((c) => suppressed.has(c.key));
    if (hit.length === 0) continue;
    // The k that protects this period: the largest of the providers in its primary cells.
    const kMax = Math.max(...hit.flatMap((c) => Object.keys(c.contributions).map(k)));
    const candidates = list.filter((c) => !suppressed.has(c.key)).sort((a, b) => cellTotal(a) - cellTotal(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const safe = () => hit.length >= 2 && sum(hit.map(cellTotal)) >= kMax + hit.length - 1;
    while (!safe() && candidates.length > 0) {
      const next = candidates.shift()!;
      suppressed.set(next.key, 'complementary');
      hit.push(next);
      complementary += 1;
    }
    if (!safe() && !suppressedPeriods.has(period)) suppressedPeriods.set(period, 'complementary');
  }

  const totals = [...byPeriod.keys()].sort().map((period) => {
    const count = sum(byPeriod.get(period)!.map(cellTotal));
    const why = suppressedPeriods.get(period);
    return why ? { period, count: null, suppressed: why } : { period, count };
  });
  const all: Record<string, number> = {};
  for (const c of cells) for (const [p, n] of Object.entries(c.contributions)) all[p] = (all[p] ?? 0) + n;
  const grand = sum(cells.map(cellTotal));
  const total: TotalOutput = isSmall(all, k)
    ? { count: null, suppressed: 'small_total' }
    : suppressedPeriods.size > 0
      ? { count: null, suppressed: 'complementary' }
      : { count: grand };

  return {
    cells: cells.map((c) => {
      const why = suppressed.get(c.key);
      return why ? { key: c.key, period: c.period, count: null, suppressed: why } : { key: c.key, period: c.period, count: cellTotal(c) };
    }),
    byPeriod: totals,
    total,
    counts: { cells: cells.length, primary, complementary, suppressedTotals: suppressedPeriods.size + (total.count === null ? 1 : 0) },
  };
}
