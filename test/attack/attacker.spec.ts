import { KEY_RANGE } from '../../apps/aggregator/src/disclosure/domain/cell-key';
import { attack, bound, boundsModel, differences, ExactSystem, HighsLike, Knowledge, targetsOf } from './attacker';
import { answerCellKey, answerLegacy, Moment, Movement, Question, Region, simulate } from './campaign';

import highs from 'highs';

/** The HiGHS solver as the attacker drives it (HighsLike: the few calls it makes). */
const loadHighs = highs as unknown as () => Promise<HighsLike>;

const TODAY = '2026-06-15';
const LIVE: Moment = { today: TODAY, dataUntil: null };
const RELEASE: Moment = { today: TODAY, dataUntil: '2026-05-31' };

/** The issue's own example: one provider (k = 5), route × category and both margins, one month. */
function issueRegion(): Region {
  const cells: [string, string, number][] = [
    ['AZ>IR>TR', 'refugee', 12],
    ['AZ>IR>TR', 'asylum_seeker', 1],
    ['AF>IR>TR', 'refugee', 20],
    ['AF>IR>TR', 'asylum_seeker', 8],
  ];
  let n = 0;
  const first: Movement[] = cells.flatMap(([route, category, count]) =>
    Array.from({ length: count }, () => ({
      eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      day: '2026-03-10',
      provider: 'IR',
      route,
      category,
    })),
  );
  return {
    from: '2026-03-01',
    to: '2026-03-31',
    providers: [{ code: 'IR', k: 5, granularity: 'month', dimensions: ['route', 'category', 'provider'] }],
    routes: { IR: ['AZ>IR>TR', 'AF>IR>TR'] },
    categories: ['refugee', 'asylum_seeker'],
    first,
    added: [],
    retracted: [],
  };
}
const ISSUE_QUESTIONS: Question[] = [
  { granularity: 'month', groupBy: ['route', 'category'], providers: ['IR'] },
  { granularity: 'month', groupBy: ['route'], providers: ['IR'] },
  { granularity: 'month', groupBy: ['category'], providers: ['IR'] },
];

describe('attacker', () => {
  let highs: HighsLike;
  beforeAll(async () => {
    highs = await loadHighs();
  });

  it('exact elimination: determines what the equations fix, nothing else, and sees contradictions', () => {
    const s = new ExactSystem();
    s.add([0, 1], 5);
    s.add([1, 2], 7);
    expect(s.determined([0])).toBeNull();
    s.add([2], 4);
    expect(s.determined([0])).toBe(2);
    expect(s.determined([1])).toBe(3);
    expect(s.determined([0, 1, 2])).toBe(9);
    expect(s.determined([3])).toBeNull();
    expect(s.add([0, 2], 7)).toBe(false);
    expect(s.inconsistent).toBe(1);
  });

  it("recovers the issue's suppressed cell of 1 from route × category and both margins (the old method)", () => {
    const region = issueRegion();
    const c = simulate(region, 'secretariat', 'legacy', [LIVE], [region.first], (rs, q, m) => answerLegacy(region, rs, 'secretariat', q, m), ISSUE_QUESTIONS);
    const cells = c.knowledge.snapshots[0].figures.filter((f) => f.published.kind === 'withheld');
    expect(cells.length).toBeGreaterThanOrEqual(2); // the 1 and its complementary cell
    const targets = targetsOf(c.knowledge, c.truth);
    expect(targets.map((t) => t.truth)).toEqual([1]);
    const report = attack(highs, c.knowledge, c.truth);
    expect(report.algebra).toMatchObject({ targets: 1, exact: 1, unsound: 0 });
    expect(report.bounds).toMatchObject({ targets: 1, exact: 1, unsound: 0 });
    expect(report.differencing.exact).toBeGreaterThanOrEqual(1); // a margin less the published cell
  });

  it('recovers nothing exactly from the same questions under cell-key, and its bounds hold the truth', () => {
    const region = issueRegion();
    const secret = Buffer.alloc(32, 1);
    const c = simulate(
      region,
      'secretariat',
      'cell-key',
      [RELEASE],
      [region.first],
      (rs, q, m) => answerCellKey(region, rs, 'secretariat', q, m, secret),
      ISSUE_QUESTIONS,
    );
    const report = attack(highs, c.knowledge, c.truth);
    expect(report.algebra.targets).toBe(1);
    for (const r of [report.algebra, report.bounds, report.differencing]) expect(r).toMatchObject({ exact: 0, unsound: 0 });
  });

  it('bounds: a lone protected part published as 0 is 0 … k−1, as k is 1 … k+3; an own part is known', () => {
    const knowledge: Knowledge = {
      method: 'cell-key',
      atomProvider: ['AF', 'AF', 'IR'],
      rule: { AF: { exact: false, k: 5 }, IR: { exact: true, k: 1 } },
      snapshots: [
        {
          known: new Map([[2, 4]]),
          figures: [
            { id: 'a', atoms: [0], published: { kind: 'absent' } },
            { id: 'b', atoms: [1, 2], published: { kind: 'value', value: 9 } },
          ],
        },
      ],
    };
    const model = boundsModel(knowledge, knowledge.snapshots[0]);
    expect(bound(highs, model, [0])).toMatchObject({ min: 0, max: 4, pinned: false });
    expect(bound(highs, model, [1])).toMatchObject({ min: 1, max: 8, pinned: false });
    expect(bound(highs, model, [2])).toMatchObject({ min: 4, max: 4, pinned: true });
  });

  it('differencing: a record added between two live answers is certain under the old method, an estimate under cell-key', () => {
    const region = issueRegion();
    const late: Movement = { eventId: '00000000-0000-4000-8000-999999999999', day: '2026-03-11', provider: 'IR', route: 'AF>IR>TR', category: 'refugee' };
    const second = [...region.first, late];
    const q: Question[] = [{ granularity: 'month', groupBy: ['route'], providers: ['IR'] }];
    const legacy = simulate(
      region,
      'secretariat',
      'legacy',
      [LIVE, LIVE],
      [region.first, second],
      (rs, qq, m) => answerLegacy(region, rs, 'secretariat', qq, m),
      q,
    );
    const d = differences(legacy.knowledge, legacy.truth).filter((x) => x.kind === 'over-time');
    // The route's row, and the month's total: each moved by exactly the one record.
    expect(d.length).toBeGreaterThanOrEqual(1);
    for (const x of d) expect(x).toMatchObject({ estimate: 1, truth: 1, certain: true });
    const secret = Buffer.alloc(32, 2);
    const ck = simulate(
      region,
      'secretariat',
      'cell-key',
      [RELEASE, RELEASE],
      [region.first, second],
      (rs, qq, m) => answerCellKey(region, rs, 'secretariat', qq, m, secret),
      q,
    );
    for (const x of differences(ck.knowledge, ck.truth)) expect(x.certain).toBe(false);
    expect(KEY_RANGE).toBe(2 ** 32);
  });
});
