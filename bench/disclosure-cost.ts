/**
 * `npm run bench:disclosure`: what publishing an answer by the cell-key method costs, on answers of
 * realistic sizes, apart from the database: every cell, every period's total and the grand total
 * published part by part (apps/aggregator/src/disclosure/domain/cell-key.ts), as the flows handler
 * does. Seeded; every state protected with k = 5 (the secretariat's view, the costliest: no part
 * is exact).
 */
import { addKeys, KEY_RANGE, Part, PartRule, publish } from '../apps/aggregator/src/disclosure/domain/cell-key';

interface Cell {
  period: string;
  parts: Part[];
}

function cells(periods: number, perPeriod: number, statesPerCell: number, smallShare: number): Cell[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Cell[] = [];
  for (let p = 0; p < periods; p++) {
    for (let c = 0; c < perPeriod; c++) {
      const parts = ['IR', 'PK', 'AF', 'TR'].slice(0, statesPerCell).map((provider) => ({
        provider,
        count: rnd() < smallShare ? 1 + Math.floor(rnd() * 4) : 5 + Math.floor(rnd() * 500),
        key: Math.floor(rnd() * KEY_RANGE),
      }));
      out.push({ period: `p${p}`, parts });
    }
  }
  return out;
}

/** Adds parts of the same provider: a total's part is its provider's count and key sum. */
function merge(into: Map<string, Part>, parts: Part[]): void {
  for (const part of parts) {
    const had = into.get(part.provider);
    into.set(part.provider, had ? { provider: part.provider, count: had.count + part.count, key: addKeys(had.key, part.key) } : { ...part });
  }
}

const rule: PartRule = () => ({ exact: false, k: 5 });

/** One answer: each cell, each period's total and the grand total, published; zeros left out. */
function answer(input: Cell[]) {
  const periods = new Map<string, Map<string, Part>>();
  const grand = new Map<string, Part>();
  let rows = 0;
  let zeros = 0;
  for (const cell of input) {
    const count = publish(cell.parts, rule);
    if (count === 0) zeros += 1;
    else rows += 1;
    const period = periods.get(cell.period) ?? new Map<string, Part>();
    merge(period, cell.parts);
    periods.set(cell.period, period);
    merge(grand, cell.parts);
  }
  const byPeriod = [...periods.values()].map((parts) => publish([...parts.values()], rule));
  return { rows, zeros, byPeriod, total: publish([...grand.values()], rule) };
}

const shapes: [string, Parameters<typeof cells>][] = [
  ['12 months × 220 route×category cells, 1 state a cell, 20% small', [12, 220, 1, 0.2]],
  ['53 weeks × 1,000 cells, 2 states a cell, 30% small', [53, 1000, 2, 0.3]],
  ['365 days × 200 cells, 3 states a cell, 40% small', [365, 200, 3, 0.4]],
];
for (const [label, args] of shapes) {
  const input = cells(...args);
  for (let i = 0; i < 3; i++) answer(input);
  const runs = 20;
  const started = process.hrtime.bigint();
  let result = answer(input);
  for (let i = 1; i < runs; i++) result = answer(input);
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  const parts = input.reduce((n, c) => n + c.parts.length, 0);
  console.log(
    `${label}: ${input.length.toLocaleString('en')} cells (${parts.toLocaleString('en')} parts), ${ms.toFixed(1)} ms an answer ` +
      `(${result.rows.toLocaleString('en')} rows published, ${result.zeros.toLocaleString('en')} at 0 left out, ${result.byPeriod.length} period totals and the grand total published on their own)`,
  );
}
