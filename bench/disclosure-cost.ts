/**
 * `npm run bench:disclosure`: what disclosure control (small cells + complementary suppression)
 * costs per answer, on answers of realistic sizes, apart from the database. Seeded; k = 5.
 */
import { CellInput, disclose } from '../apps/aggregator/src/agreements/domain/disclosure';

function cells(periods: number, perPeriod: number, statesPerCell: number, smallShare: number): CellInput[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: CellInput[] = [];
  for (let p = 0; p < periods; p++) {
    for (let c = 0; c < perPeriod; c++) {
      const contributions: Record<string, number> = {};
      for (const state of ['IR', 'PK', 'AF', 'TR'].slice(0, statesPerCell)) {
        contributions[state] = rnd() < smallShare ? 1 + Math.floor(rnd() * 4) : 5 + Math.floor(rnd() * 500);
      }
      out.push({ key: `p${p}-c${c}`, period: `p${p}`, contributions });
    }
  }
  return out;
}

const shapes: [string, Parameters<typeof cells>][] = [
  ['12 months × 220 route×category cells, 1 state a cell, 20% small', [12, 220, 1, 0.2]],
  ['53 weeks × 1,000 cells, 2 states a cell, 30% small', [53, 1000, 2, 0.3]],
  ['365 days × 200 cells, 3 states a cell, 40% small', [365, 200, 3, 0.4]],
];
for (const [label, args] of shapes) {
  const input = cells(...args);
  for (let i = 0; i < 3; i++) disclose(input, () => 5);
  const runs = 20;
  const started = process.hrtime.bigint();
  let answer = disclose(input, () => 5);
  for (let i = 1; i < runs; i++) answer = disclose(input, () => 5);
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  const c = answer.counts;
  console.log(`${label}: ${input.length.toLocaleString('en')} cells, ${ms.toFixed(1)} ms an answer (${c.primary} small, ${c.complementary} complementary, ${c.suppressedTotals} totals suppressed)`);
}
