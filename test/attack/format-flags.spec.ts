import { CATEGORIES, REFERRAL_STATUSES } from '@caravanserai/contracts';
import { mulberry32 } from '@caravanserai/synthetic';
import { KEY_RANGE, Part, PartRule, publish } from '../../apps/aggregator/src/disclosure/domain/cell-key';
import type { DisclosureReport } from '../../apps/aggregator/src/disclosure/domain/disclosure-report';
import type { FlowAnswer } from '../../apps/aggregator/src/answers/flow-answer';
import { toSdmxCsv } from '../../apps/aggregator/src/answers/formats/representation/sdmx-csv';
import { flowsTable, referralsTable } from '../../apps/aggregator/src/answers/formats/representation/table';
import { PartRow, publishFigures } from '../../apps/aggregator/src/referrals/application/query-referral-summary/query-referral-summary.handler';
import type { ReferralSummary } from '../../apps/aggregator/src/answers/referral-summary';

/**
 * The exchange formats' flags (OBS_STATUS, CONF_STATUS) must not say what the cell-key method
 * hides: two regions that differ only in a protected provider's counts below k must get identical
 * flags on every observation both publish. A flag like "this cell was small" fails this at once.
 * Figures are published by the aggregator's own functions (publish, publishFigures).
 */
const K = 5;
const release = { id: 1, cutAt: '2026-04-01T00:00:00Z', dataUntil: '2026-03-31' };
const disclosure: DisclosureReport = {
  principal: 'secretariat',
  release,
  method: { name: 'cell-key', maxNoise: 3, exact: ['PK'], protected: [{ provider: 'IR', k: K }] },
  agreements: [],
  leftOut: [],
  coarsened: [],
  notes: [],
};
const rule: PartRule = (p) => (p === 'PK' ? { exact: true, k: 1 } : { exact: false, k: K });

type Cell = { provider: string; category: string; count: number; key: number };

/** A random region; `small` redraws every IR count below k (and its key), leaving the rest. */
function region(seed: number, small?: number): Cell[] {
  const rnd = mulberry32(seed);
  const redraw = small === undefined ? null : mulberry32(small);
  return ['IR', 'PK'].flatMap((provider) =>
    CATEGORIES.map((category) => {
      let count = Math.floor(rnd() * 12);
      let key = Math.floor(rnd() * KEY_RANGE);
      if (redraw && provider === 'IR' && count > 0 && count < K) {
        count = 1 + Math.floor(redraw() * (K - 1));
        key = Math.floor(redraw() * KEY_RANGE);
      }
      return { provider, category, count, key };
    }),
  );
}

/** Flags by observation key, read back from the SDMX-CSV the API would serve. */
function flags(csv: string): Map<string, string> {
  const [header, ...lines] = csv.trim().split('\r\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  return new Map(
    lines.map((l) => {
      const c = l.split(',');
      const key = cols
        .filter((n) => !['OBS_VALUE', 'OBS_STATUS', 'CONF_STATUS'].includes(n))
        .map((n) => c[at(n)])
        .join('|');
      return [key, `${c[at('OBS_STATUS')]} ${c[at('CONF_STATUS')]}`];
    }),
  );
}

function flowsCsv(cells: Cell[], groupBy: ('category' | 'provider')[]): string {
  const groups = new Map<string, { values: Record<string, string>; parts: Part[] }>();
  for (const c of cells.filter((x) => x.count > 0)) {
    const values = Object.fromEntries(groupBy.map((d) => [d, c[d]]));
    const key = JSON.stringify(values);
    const g = groups.get(key) ?? { values, parts: [] };
    g.parts.push({ provider: c.provider, count: c.count, key: c.key });
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => ({ period: '2026-03', ...g.values, count: publish(g.parts, rule) })).filter((r) => r.count !== 0);
  const answer: FlowAnswer = {
    query: { from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy },
    granularity: 'month',
    from: '2026-03-01',
    to: '2026-03-31',
    release,
    rows,
    totals: { count: 0, byPeriod: [] },
    disclosure,
  };
  return toSdmxCsv(flowsTable(answer));
}

/** Referral parts: every referral of a cell accepted after a few hours, so durations exist. */
function referralsCsv(cells: Cell[], groupBy: ('category' | 'provider')[]): string {
  const part = (c: Cell): PartRow => {
    const row: PartRow = { part_provider: c.provider, h_acceptance: Array.from({ length: c.count }, (_, i) => 2 + i), h_closure: null };
    for (const name of ['referrals', 'accepted', ...REFERRAL_STATUSES.map((s) => `status_${s}`), 'declined', 'closure', 'stalled']) {
      const n = name === 'referrals' || name === 'accepted' || name === 'status_accepted' ? c.count : 0;
      row[`n_${name}`] = n;
      row[`k_${name}`] = n === 0 ? 0 : c.key;
    }
    return row;
  };
  const groups = new Map<string, { values: Record<string, string>; parts: PartRow[] }>();
  for (const c of cells.filter((x) => x.count > 0)) {
    const values = Object.fromEntries(groupBy.map((d) => [d, c[d]]));
    const key = JSON.stringify(values);
    const g = groups.get(key) ?? { values, parts: [] };
    g.parts.push(part(c));
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => ({ period: '2026-03', ...g.values, ...publishFigures(g.parts, rule) })).filter((r) => r.referrals !== 0);
  const answer = {
    query: { from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy, stalledAfterHours: 72 },
    release,
    asOf: release.cutAt,
    rows,
    granularity: 'month',
    from: '2026-03-01',
    to: '2026-03-31',
    disclosure,
    awaitingReferralMade: 0,
  } as unknown as ReferralSummary;
  return toSdmxCsv(referralsTable(answer));
}

describe('exchange-format flags do not depend on counts below k', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const a = region(seed);
    const b = region(seed, seed + 100);
    it(`region ${seed}: the two regions differ below k only, and every observation both publish has the same flags`, () => {
      expect(a.filter((c, i) => c.count !== b[i].count || c.key !== b[i].key).every((c) => c.provider === 'IR' && c.count < K)).toBe(true);
      expect(a.some((c, i) => c.count !== b[i].count || c.key !== b[i].key)).toBe(true);
      for (const write of [flowsCsv, referralsCsv]) {
        for (const groupBy of [['category'], ['provider', 'category'], []] as ('category' | 'provider')[][]) {
          const fa = flags(write(a, groupBy));
          const fb = flags(write(b, groupBy));
          const common = [...fa.keys()].filter((k) => fb.has(k));
          expect(common.length).toBeGreaterThan(0);
          for (const key of common) expect([key, fa.get(key)]).toEqual([key, fb.get(key)]);
        }
      }
    });
  }
});
