import { mulberry32 } from '@caravanserai/synthetic';
import { CATEGORIES, PROVIDER_STATES } from '@caravanserai/contracts';
import { KEY_RANGE, Part, publish, recordKey } from '../../apps/aggregator/src/disclosure/domain/cell-key';
import { applicableCut, FlowPlan, Grant, periodBounds, planFlows } from '../../apps/aggregator/src/disclosure/domain/policy';
import type { Figure, Knowledge, Method, Published, Snapshot, Truth } from './attacker';
import { CellInput, disclose } from './legacy-suppression';

/**
 * A region, the questions a recipient may ask of it, how each method answers them (a simulation
 * of the aggregator: the same planner, the old suppression or cell-key part by part), and what
 * the recipient learns from the answers (figures over its atoms, for attacker.ts).
 */

export type Granularity = 'day' | 'week' | 'month';
export type Dim = 'route' | 'category' | 'provider';
export const DIMS: Dim[] = ['route', 'category', 'provider'];
export const GRANULARITIES: Granularity[] = ['day', 'week', 'month'];

export interface RegionProvider {
  code: string;
  k: number;
  granularity: Granularity;
  dimensions: Dim[];
}

export interface Movement {
  eventId: string;
  day: string;
  provider: string;
  /** departedFrom>provider>intendedDestination */
  route: string;
  category: string;
}

export interface Region {
  /** The month asked about. */
  from: string;
  to: string;
  providers: RegionProvider[];
  routes: Record<string, string[]>;
  categories: string[];
  /** Records in the first release (or the first moment of a live count). */
  first: Movement[];
  /** Late records and retractions that come after. */
  added: Movement[];
  retracted: string[];
}

export interface Question {
  granularity: Granularity;
  groupBy: Dim[];
  providers?: string[];
  routes?: string[];
  categories?: string[];
  coarser?: 'include' | 'exclude';
}

export interface Row {
  period: string;
  route?: string;
  category?: string;
  provider?: string;
  count: number | null;
  suppressed?: string;
}

export interface Answer {
  granularity: string;
  from: string;
  to: string;
  rows: Row[];
  totals: { count: number | null; suppressed?: string; byPeriod: { period: string; count: number | null; suppressed?: string }[] };
}

/** Where answers stand: the planner's `today`, and the release's last day (null: the old live count). */
export interface Moment {
  today: string;
  dataUntil: string | null;
}

// ---------------------------------------------------------------------------------------------
// Random regions.

const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

/**
 * 3–5 providers with k in {1, 3, 5, 10}, a finest granularity and the dimensions they share, one or
 * two routes each, three categories, a month of movements skewed so that many cells are small, then
 * a few late records and a retraction.
 */
export function randomRegion(seed: number, month = '2026-03'): Region {
  // Seeded (libs/synthetic's mulberry32), so a failing region can be replayed.
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const shuffled = [...PROVIDER_STATES].sort(() => r() - 0.5);
  const count = 3 + Math.floor(r() * 3);
  const providers: RegionProvider[] = shuffled.slice(0, count).map((code) => ({
    code,
    k: pick([1, 3, 5, 5, 10]),
    granularity: pick<Granularity>(['day', 'week', 'week', 'month', 'month']),
    dimensions: r() < 0.75 ? [...DIMS] : DIMS.filter((d) => d !== pick(DIMS)),
  }));
  const ends = ['AF', 'IR', 'TR', 'PK', 'DE', 'GR'];
  const routes: Record<string, string[]> = {};
  for (const p of providers) {
    const n = 1 + Math.floor(r() * 2);
    routes[p.code] = [
      ...new Set(Array.from({ length: n }, () => `${pick(ends.filter((e) => e !== p.code))}>${p.code}>${pick(ends.filter((e) => e !== p.code))}`)),
    ];
  }
  const categories = [...CATEGORIES].slice(0, 3);
  const monthDays = days(`${month}-01`, periodBounds(`${month}-01`, 'month').last);
  let serial = 0;
  const movement = (p: string, weights: { route: string; category: string; w: number }[]): Movement => {
    const total = weights.reduce((s, x) => s + x.w, 0);
    let u = r() * total;
    const cell = weights.find((x) => (u -= x.w) < 0) ?? weights[weights.length - 1];
    serial += 1;
    return {
      eventId: `00000000-0000-4000-8000-${String(seed).padStart(4, '0').slice(-4)}${String(serial).padStart(8, '0')}`,
      day: pick(monthDays),
      provider: p,
      route: cell.route,
      category: cell.category,
    };
  };
  const first: Movement[] = [];
  const weightsOf = new Map<string, { route: string; category: string; w: number }[]>();
  for (const p of providers) {
    const weights = routes[p.code].flatMap((route) => categories.map((category) => ({ route, category, w: r() < 0.4 ? 0.1 : r() * 3 })));
    weightsOf.set(p.code, weights);
    const n = 8 + Math.floor(r() * 50);
    for (let i = 0; i < n; i++) first.push(movement(p.code, weights));
  }
  const added: Movement[] = [];
  const late = 1 + Math.floor(r() * 4);
  for (let i = 0; i < late; i++) {
    const p = pick(providers).code;
    added.push(movement(p, weightsOf.get(p)!));
  }
  const retracted = [pick(first).eventId];
  return { from: `${month}-01`, to: monthDays[monthDays.length - 1], providers, routes, categories, first, added, retracted };
}

/** The records of the second moment: first + added − retracted. */
export const secondRecords = (region: Region): Movement[] => [...region.first.filter((m) => !region.retracted.includes(m.eventId)), ...region.added];

/** The region's agreements: each provider grants every recipient its k, granularity and dimensions. */
export function grantsOf(region: Region): Grant[] {
  return region.providers.map((p, i) => ({
    agreementId: `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`,
    provider: p.code,
    recipient: '*',
    status: 'active',
    version: i + 1,
    grantedAt: '2026-01-01T00:00:00.000Z',
    scope: { eventKinds: ['movements'] },
    dimensions: p.dimensions,
    minTimeGranularity: p.granularity,
    minGeoGranularity: 'country',
    minCellSize: p.k,
    embargoDays: 0,
    validFrom: '2026-01-01',
    validUntil: null,
    purpose: 'attack suite',
  })) as Grant[];
}

// ---------------------------------------------------------------------------------------------
// Questions.

const subsets = <T>(xs: T[]): T[][] => xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);

/**
 * Every question of the campaign: each granularity, each group-by subset of route, category and
 * provider, with no filter or one single-value filter (a provider, a route, a category), and —
 * for the new method — with coarser states left out as well as included. Questions the planner
 * turns into the same plan are asked once (the answer is a function of the plan).
 */
export function questions(region: Region, caller: string, method: Method, moment: Moment): Question[] {
  const filters: Partial<Question>[] = [
    {},
    ...region.providers.map((p) => ({ providers: [p.code] })),
    ...region.providers.flatMap((p) => region.routes[p.code].map((route) => ({ routes: [route] }))),
    ...region.categories.map((c) => ({ categories: [c] })),
  ];
  const out: Question[] = [];
  const seen = new Set<string>();
  for (const granularity of GRANULARITIES)
    for (const groupBy of subsets(DIMS))
      for (const filter of filters)
        for (const coarser of method === 'legacy' ? (['include'] as const) : (['include', 'exclude'] as const)) {
          const q: Question = { granularity, groupBy, ...filter, ...(coarser === 'exclude' ? { coarser } : {}) };
          const plan = planOf(region, caller, q, moment);
          const key = JSON.stringify([groupBy, filter, plan.granularity, plan.from, plan.to, plan.cuts.map((c) => [c.provider, c.firstDay, c.lastDay])]);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(q);
        }
  return out;
}

const dimsUsed = (q: Question): string[] => {
  const used = new Set<string>(q.groupBy);
  if (q.providers?.length) used.add('provider');
  if (q.routes?.length) used.add('route');
  if (q.categories?.length) used.add('category');
  return [...used];
};

export function planOf(region: Region, caller: string, q: Question, moment: Moment): FlowPlan {
  return planFlows(
    { from: region.from, to: region.to, granularity: q.granularity, dimensionsUsed: dimsUsed(q), providers: q.providers, coarser: q.coarser },
    { id: caller },
    grantsOf(region),
    PROVIDER_STATES,
    'movements',
    moment.today,
    moment.dataUntil === null ? null : { dataUntil: moment.dataUntil },
  );
}

/** The ISO week label the aggregator uses (to_char(date_trunc('week', day), 'IYYY-"W"IW')). */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export const periodLabel = (day: string, g: string): string =>
  g === 'day' ? day : g === 'week' ? isoWeek(day) : g === 'month' ? day.slice(0, 7) : day.slice(0, 4);

/** Records a plan lets into an answer, with the question's filters. */
function selected(plan: FlowPlan, q: Question, records: readonly Movement[]): Movement[] {
  const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
  return records.filter((m) => {
    const cut = cuts.get(m.provider);
    if (!cut || m.day < plan.from || m.day > plan.to) return false;
    if ((cut.firstDay !== null && m.day < cut.firstDay) || (cut.lastDay !== null && m.day > cut.lastDay)) return false;
    if (q.providers?.length && !q.providers.includes(m.provider)) return false;
    if (q.routes?.length && !q.routes.includes(m.route)) return false;
    if (q.categories?.length && !q.categories.includes(m.category)) return false;
    return true;
  });
}

const rowKey = (period: string, groupBy: Dim[], values: Partial<Record<Dim, string>>) => JSON.stringify([period, ...groupBy.map((d) => values[d] ?? null)]);

/** How the aggregator answers with cell-key: every figure part by part, rows published as 0 omitted. */
export function answerCellKey(region: Region, records: readonly Movement[], caller: string, q: Question, moment: Moment, secret: Buffer): Answer {
  const plan = planOf(region, caller, q, moment);
  const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
  const rule = (p: string) => ({ exact: cuts.get(p)!.exact, k: cuts.get(p)!.minCellSize });
  type Fig = { values: Partial<Record<Dim, string>>; period: string; parts: Map<string, Part> };
  const cells = new Map<string, Fig>();
  const periods = new Map<string, Fig>();
  const grand: Fig = { values: {}, period: '', parts: new Map() };
  const add = (fig: Fig, m: Movement) => {
    const part = fig.parts.get(m.provider) ?? { provider: m.provider, count: 0, key: 0 };
    part.count += 1;
    part.key = (part.key + recordKey(secret, m.eventId)) % KEY_RANGE;
    fig.parts.set(m.provider, part);
  };
  for (const m of selected(plan, q, records)) {
    const period = periodLabel(m.day, plan.granularity);
    const values: Partial<Record<Dim, string>> = {};
    for (const d of q.groupBy) values[d] = m[d];
    const key = rowKey(period, q.groupBy, values);
    const cell = cells.get(key) ?? { values, period, parts: new Map() };
    cells.set(key, cell);
    add(cell, m);
    const total = periods.get(period) ?? { values: {}, period, parts: new Map() };
    periods.set(period, total);
    add(total, m);
    add(grand, m);
  }
  const value = (f: Fig) => publish([...f.parts.values()], rule);
  return {
    granularity: plan.granularity,
    from: plan.from,
    to: plan.to,
    rows: [...(q.groupBy.length === 0 ? periods : cells).values()]
      .map((f) => ({ period: f.period, ...f.values, count: value(f) }))
      .filter((row) => row.count !== 0),
    totals: { count: value(grand), byPeriod: [...periods.values()].map((f) => ({ period: f.period, count: value(f) })).filter((p) => p.count !== 0) },
  };
}

/** How the aggregator answered before issue 13: live counts, cell suppression with complementary suppression. */
export function answerLegacy(region: Region, records: readonly Movement[], caller: string, q: Question, moment: Moment): Answer {
  const plan = planOf(region, caller, q, moment);
  const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
  type Cell = CellInput & { values: Partial<Record<Dim, string>> };
  const cells = new Map<string, Cell>();
  for (const m of selected(plan, q, records)) {
    const period = periodLabel(m.day, plan.granularity);
    const values: Partial<Record<Dim, string>> = {};
    for (const d of q.groupBy) values[d] = m[d];
    const key = rowKey(period, q.groupBy, values);
    const cell = cells.get(key) ?? { key, period, contributions: {}, values };
    cell.contributions[m.provider] = (cell.contributions[m.provider] ?? 0) + 1;
    cells.set(key, cell);
  }
  // The old handler read rows ordered by period and group-by values.
  const inputs = [...cells.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = disclose(inputs, (p) => cuts.get(p)?.minCellSize ?? Number.MAX_SAFE_INTEGER);
  return {
    granularity: plan.granularity,
    from: plan.from,
    to: plan.to,
    rows: out.cells.map((c, i) => ({ period: c.period, ...inputs[i].values, count: c.count, ...(c.suppressed ? { suppressed: c.suppressed } : {}) })),
    totals: { ...out.total, byPeriod: out.byPeriod },
  };
}

// ---------------------------------------------------------------------------------------------
// What the recipient learns.

/** The attacker's atoms: per provider it may see, route × category × the finest days it can tell apart. */
export interface AtomSpace {
  atoms: { provider: string; route: string; category: string; days: string[] }[];
}

/**
 * Atoms for one caller: a provider's days fall into classes by their period at every granularity
 * the caller can see that provider at (its grant's finest and coarser; its own data by day), over
 * every day any plan of the campaign lets in.
 */
export function atomSpace(region: Region, caller: string, plans: FlowPlan[], today: string): AtomSpace {
  const atoms: AtomSpace['atoms'] = [];
  for (const p of region.providers) {
    const cut = applicableCut(p.code, grantsOf(region), { id: caller }, 'movements', today);
    if (!cut) continue;
    const visible = GRANULARITIES.slice(GRANULARITIES.indexOf(cut.minTimeGranularity as Granularity));
    const seen = new Set<string>();
    for (const plan of plans) {
      const c = plan.cuts.find((x) => x.provider === p.code);
      if (!c) continue;
      for (const day of days(plan.from, plan.to)) if ((c.firstDay === null || day >= c.firstDay) && (c.lastDay === null || day <= c.lastDay)) seen.add(day);
    }
    const classes = new Map<string, string[]>();
    for (const day of [...seen].sort()) {
      const key = visible.map((g) => periodLabel(day, g)).join('|');
      classes.set(key, [...(classes.get(key) ?? []), day]);
    }
    for (const route of region.routes[p.code])
      for (const category of region.categories) for (const ds of classes.values()) atoms.push({ provider: p.code, route, category, days: ds });
  }
  return { atoms };
}

export function truthOf(space: AtomSpace, records: readonly Movement[]): number[] {
  const index = new Map<string, number>();
  space.atoms.forEach((a, i) => a.days.forEach((d) => index.set(`${a.provider}|${a.route}|${a.category}|${d}`, i)));
  const truth = new Array<number>(space.atoms.length).fill(0);
  for (const m of records) {
    const i = index.get(`${m.provider}|${m.route}|${m.category}|${m.day}`);
    if (i !== undefined) truth[i] += 1;
  }
  return truth;
}

/** The figures of one answer over the attacker's atoms: every row it could have had (listed or not), each period total, the grand total. */
export function figuresOf(space: AtomSpace, plan: FlowPlan, q: Question, answer: Answer, method: Method, qid: string): Figure[] {
  if (answer.granularity !== plan.granularity || answer.from !== plan.from || answer.to !== plan.to)
    throw new Error(`${qid}: the answer's plan is not the one the attacker expected`);
  const cuts = new Map(plan.cuts.map((c) => [c.provider, c]));
  const rows = new Map<string, number[]>();
  const periods = new Map<string, number[]>();
  const grand: number[] = [];
  space.atoms.forEach((a, i) => {
    const cut = cuts.get(a.provider);
    if (!cut) return;
    const day = a.days[0];
    if (day < plan.from || day > plan.to || (cut.firstDay !== null && day < cut.firstDay) || (cut.lastDay !== null && day > cut.lastDay)) return;
    if (q.providers?.length && !q.providers.includes(a.provider)) return;
    if (q.routes?.length && !q.routes.includes(a.route)) return;
    if (q.categories?.length && !q.categories.includes(a.category)) return;
    const period = periodLabel(day, plan.granularity);
    const key = rowKey(period, q.groupBy, { route: a.route, category: a.category, provider: a.provider });
    rows.set(key, [...(rows.get(key) ?? []), i]);
    periods.set(period, [...(periods.get(period) ?? []), i]);
    grand.push(i);
  });
  const seen = (count: number | null, suppressed?: string): Published =>
    count === null
      ? { kind: 'withheld', label: suppressed ?? 'withheld' }
      : method === 'cell-key' && count === 0
        ? { kind: 'absent' }
        : { kind: 'value', value: count };
  const figures: Figure[] = [];
  const listed = new Map(answer.rows.map((r) => [rowKey(r.period, q.groupBy, r), r]));
  for (const key of listed.keys()) if (!rows.has(key)) throw new Error(`${qid}: row ${key} is outside the attacker's atoms`);
  for (const [key, atoms] of rows) {
    const row = listed.get(key);
    figures.push({ id: `${qid}|row|${key}`, atoms, published: row ? seen(row.count, row.suppressed) : { kind: 'absent' } });
  }
  const byPeriod = new Map(answer.totals.byPeriod.map((p) => [p.period, p]));
  for (const [period, atoms] of periods) {
    const p = byPeriod.get(period);
    figures.push({ id: `${qid}|period|${period}`, atoms, published: p ? seen(p.count, p.suppressed) : { kind: 'absent' } });
  }
  if (grand.length > 0) figures.push({ id: `${qid}|grand`, atoms: grand, published: seen(answer.totals.count, answer.totals.suppressed) });
  return figures;
}

/** How each provider's part is published for a caller (public: the grants, and who is asking). */
export function ruleOf(region: Region, caller: string, today: string): Knowledge['rule'] {
  const rule: Knowledge['rule'] = {};
  for (const p of region.providers) {
    const cut = applicableCut(p.code, grantsOf(region), { id: caller }, 'movements', today);
    if (cut) rule[p.code] = { exact: cut.minCellSize <= 1, k: cut.minCellSize };
  }
  return rule;
}

/** What one caller learns from one method over the moments, and the truth to score it. */
export interface Campaign {
  knowledge: Knowledge;
  truth: Truth;
  questions: number;
}

/**
 * The whole campaign in simulation: a caller asks every question at each moment (a release each,
 * or the live count at two moments for the old method), answered by `answer`; its own state's atoms
 * are known to it.
 */
export function simulate(
  region: Region,
  caller: string,
  method: Method,
  moments: Moment[],
  recordsAt: Movement[][],
  answer: (records: readonly Movement[], q: Question, moment: Moment) => Answer,
  only?: Question[],
): Campaign {
  const asked = moments.map((moment) => ({ moment, qs: only ?? questions(region, caller, method, moment) }));
  const plans = asked.flatMap(({ moment, qs }) => qs.map((q) => planOf(region, caller, q, moment)));
  const space = atomSpace(region, caller, plans, moments[0].today);
  const own = caller.startsWith('state:') ? caller.slice(6) : null;
  const truth = recordsAt.map((records) => truthOf(space, records));
  const snapshots: Snapshot[] = asked.map(({ moment, qs }, s) => {
    const figures = qs.flatMap((q) => {
      const qid = JSON.stringify(q);
      return figuresOf(space, planOf(region, caller, q, moment), q, answer(recordsAt[s], q, moment), method, qid);
    });
    const known = new Map<number, number>();
    space.atoms.forEach((a, i) => a.provider === own && known.set(i, truth[s][i]));
    return { figures, known };
  });
  return {
    knowledge: { method, atomProvider: space.atoms.map((a) => a.provider), rule: ruleOf(region, caller, moments[0].today), snapshots },
    truth,
    questions: asked.reduce((n, a) => n + a.qs.length, 0),
  };
}
