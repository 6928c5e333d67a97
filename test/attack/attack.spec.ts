import { attack, AttackReport, formatReports, HighsLike } from './attacker';
import { answerCellKey, answerLegacy, Moment, randomRegion, secondRecords, simulate } from './campaign';

import highs from 'highs';

/** The HiGHS solver as the attacker drives it (HighsLike: the few calls it makes). */
const loadHighs = highs as unknown as () => Promise<HighsLike>;

/**
 * The attack suite in simulation (issue 13): for random regions, a curious recipient — the
 * secretariat, and a state that knows its own part — asks every question its grants allow, at two
 * moments (the old method: the live count before and after late records and a retraction; cell-key:
 * two releases), then attacks every protected figure below k by exact algebra, bounds and
 * differencing. The old method must fall (else the attacks are broken); cell-key must give nothing
 * exact, and every bound must hold the truth (else the attacker's model is wrong).
 */

const TODAY = '2026-06-15';
const LIVE: Moment[] = [
  { today: TODAY, dataUntil: null },
  { today: TODAY, dataUntil: null },
];
const RELEASES: Moment[] = [
  { today: TODAY, dataUntil: '2026-05-31' },
  { today: TODAY, dataUntil: '2026-05-31' },
];
const SECRET = Buffer.alloc(32, 0x5a);
/** Fixed seeds: a failure replays with randomRegion(seed). */
const SEEDS = [1, 2, 3];
/** LPs per (caller, method): targets evenly spread when there are more. */
const BOUNDS_LIMIT = 40;

describe('attack suite (simulation of the aggregator)', () => {
  let highs: HighsLike;
  const rows: { label: string; report: AttackReport }[] = [];

  beforeAll(async () => {
    highs = await loadHighs();
  });
  afterAll(() => {
    console.log(
      `attack suite, regions ${SEEDS.join(', ')} (exact = recovered with certainty; errors |estimate − truth| of the best estimate)\n${formatReports(rows)}`,
    );
  });

  describe.each(SEEDS)('region %i', (seed) => {
    const region = randomRegion(seed);
    const records = [region.first, secondRecords(region)];
    // A state whose own grant has k > 1 (so knowing its own part is an advantage over the secretariat).
    const own = region.providers.find((p) => p.k > 1) ?? region.providers[0];
    const callers = ['secretariat', `state:${own.code}`];

    it.each(callers)('the old method falls to the attacks (%s)', (caller) => {
      const c = simulate(region, caller, 'legacy', LIVE, records, (rs, q, m) => answerLegacy(region, rs, caller, q, m));
      const report = attack(highs, c.knowledge, c.truth, BOUNDS_LIMIT);
      rows.push({ label: `${seed} ${caller} legacy`, report });
      for (const r of [report.algebra, report.bounds, report.differencing]) expect(r.unsound).toBe(0);
      if (report.algebra.targets > 0) expect(report.algebra.exact + report.bounds.exact + report.differencing.exact).toBeGreaterThan(0);
    });

    it.each(callers)('cell-key gives nothing exact (%s)', (caller) => {
      const c = simulate(region, caller, 'cell-key', RELEASES, records, (rs, q, m) => answerCellKey(region, rs, caller, q, m, SECRET));
      const report = attack(highs, c.knowledge, c.truth, BOUNDS_LIMIT);
      rows.push({ label: `${seed} ${caller} cell-key`, report });
      // The secretariat always faces protected small cells; a state may have none left to find
      // once its own part is known (then there is nothing to attack, and nothing exact).
      if (caller === 'secretariat') expect(report.algebra.targets).toBeGreaterThan(0);
      for (const r of [report.algebra, report.bounds, report.differencing]) expect({ exact: r.exact, unsound: r.unsound }).toEqual({ exact: 0, unsound: 0 });
    });
  });

  it('the old method fell in every region: each gave at least one small cell exactly', () => {
    const legacy = rows.filter((r) => r.label.endsWith('legacy'));
    const fell = new Set(
      legacy.filter((r) => r.report.algebra.exact + r.report.bounds.exact + r.report.differencing.exact > 0).map((r) => r.label.split(' ')[0]),
    );
    expect([...fell].sort()).toEqual(SEEDS.map(String));
  });
});
