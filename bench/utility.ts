/**
 * `npm run report:utility [-- --smoke] [-- --scale 0.3] [-- --year 2025] [-- --month 2026-11]`:
 * how far published figures are from the truth under the cell-key method as shipped
 * (apps/aggregator/src/disclosure/domain/cell-key.ts), on the demo's data and on a larger
 * synthetic year.
 *
 * Each synthetic movement gets an event-id-like id and its record key with a fixed secret; the
 * records are summed per (day, provider, crossing point, category, route) as flow_counts holds
 * them (count and key sum mod 2^32); every question is then rolled up from those cells per provider
 * part and published with `publish`, as the flows handler does: each part exact (k = 1) or
 * perturbed with its provider's k, parts added, a figure of 0 left out, period totals and the
 * grand total figures of their own. Only whole periods inside the generated days are asked.
 *
 * Writes bench/results/utility-<timestamp>.{md,json} and prints the markdown. Exits 1 only if an
 * invariant of the method breaks (a single protected part published as 1 … k−1, a published row
 * with no true records, a protected part of k or more moved by more than MAX_NOISE), never on the
 * figures themselves.
 */
import { generateMovements, Surge } from '@caravanserai/synthetic';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { addKeys, MAX_NOISE, Part, PartRule, perturb, publish, recordKey } from '../apps/aggregator/src/disclosure/domain/cell-key';
import { addDays, periodBounds } from '../apps/aggregator/src/disclosure/domain/policy';

const ROOT = resolve(__dirname, '../..');

// ---------- options ----------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const smoke = flag('smoke');
/** The larger year's volume: 1.0 is the calibrated real volume (~14,700 records a day). */
const yearScale = Number(option('scale') ?? (smoke ? '0.005' : '0.3'));
const year = option('year') ?? '2025';
/** The demo's month (the demo feeds the last full calendar month before today). */
const demoMonth = option('month') ?? lastMonth();
if (!(yearScale > 0) || !/^\d{4}$/.test(year) || !/^\d{4}-\d{2}$/.test(demoMonth)) {
  console.error('usage: utility [--smoke] [--scale <number>] [--year YYYY] [--month YYYY-MM]');
  process.exit(2);
}

function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** A fixed test secret (the aggregator's is a file of random bytes): the figures are reproducible. */
const SECRET = Buffer.from('caravanserai utility report: a fixed secret of 32+ bytes', 'utf8');
/** Event ids are UUIDs the node assigns; here a name-based UUID of the record id stands in for one. */
const ID_NAMESPACE = '6f1d3a52-3c1e-4c43-9a55-0b1f2f6c9e0a';

// ---------- data ----------

interface DataSet {
  name: string;
  description: string;
  from: string;
  to: string;
  scale: number;
  providers: string[];
  seed: number;
  surges: Surge[];
  recordIdPrefix: string;
}

const DEMO_PROVIDERS = ['AF', 'IR', 'PK', 'TR', 'TM', 'KZ'];
const ALL_PROVIDERS = ['AF', 'IR', 'PK', 'TR', 'TM', 'KZ', 'CN', 'KG', 'AZ'];

/** The demo's data, exactly as scripts/demo/feed.ts generates it (DEMO_SCALE's default 0.05,
 * scripts/demo.sh's six states, seed 2014, the month and its lead-in, the surge into Türkiye). */
function demoData(month: string): DataSet {
  const from = `${month}-01`;
  const to = periodBounds(from, 'month').last;
  const leadIn = addDays(to, -41) < from ? addDays(to, -41) : from;
  return {
    name: 'demo',
    description: `the demo's data (scripts/demo/feed.ts): seed 2014, ${leadIn} … ${to}, scale 0.05, ${DEMO_PROVIDERS.join(' ')}, surge ×4 on AF>IR>TR from ${addDays(to, -6)}`,
    from: leadIn,
    to,
    scale: 0.05,
    providers: DEMO_PROVIDERS,
    seed: 2014,
    surges: [{ routeId: 'IR:entry:AF>TR', from: addDays(to, -6), to, factor: 4 }],
    recordIdPrefix: 'DEMO-',
  };
}

function yearData(): DataSet {
  return {
    name: 'year',
    description: `a synthetic year: seed 2025, ${year}-01-01 … ${year}-12-31, scale ${yearScale}, all nine providers of the generator (${ALL_PROVIDERS.join(' ')})`,
    from: `${year}-01-01`,
    to: `${year}-12-31`,
    scale: yearScale,
    providers: ALL_PROVIDERS,
    seed: 2025,
    surges: [],
    recordIdPrefix: 'SYN-',
  };
}

/** A row of flow_counts reduced to the dimensions the questions use. */
interface BaseCell {
  day: string;
  provider: string;
  borderCrossingPoint: string;
  category: string;
  route: string;
  count: number;
  key: number;
}

function load(data: DataSet): { cells: BaseCell[]; records: number; seconds: number } {
  const started = performance.now();
  const cells = new Map<string, BaseCell>();
  let records = 0;
  for (const m of generateMovements({
    seed: data.seed,
    from: data.from,
    to: data.to,
    scale: data.scale,
    providers: data.providers,
    surges: data.surges,
    recordIdPrefix: data.recordIdPrefix,
    withPersonalData: false,
  })) {
    records += 1;
    const key = recordKey(SECRET, uuidv5(m.recordId, ID_NAMESPACE));
    const day = m.crossedAt.slice(0, 10); // the local day, as the node's occurredOn
    // The route as the aggregator spells it (flows handler): departed from > provider > destination, ZZ unknown.
    const route = `${m.departedFrom ?? 'ZZ'}>${m.provider}>${m.intendedDestination ?? 'ZZ'}`;
    const id = `${day}|${route}|${m.borderCrossingPoint}|${m.category}`;
    const cell = cells.get(id);
    if (cell) {
      cell.count += 1;
      cell.key = addKeys(cell.key, key);
    } else cells.set(id, { day, provider: m.provider, borderCrossingPoint: m.borderCrossingPoint, category: m.category, route, count: 1, key });
  }
  return { cells: [...cells.values()], records, seconds: (performance.now() - started) / 1000 };
}

// ---------- questions ----------

type Granularity = 'month' | 'week';
type Dimension = 'route' | 'category' | 'provider' | 'borderCrossingPoint';
const GROUP_BYS: Dimension[][] = [['route'], ['route', 'category'], ['category'], ['provider'], ['borderCrossingPoint']];
const GRANULARITIES: Granularity[] = ['month', 'week'];

/** ISO week label, as the flows handler's to_char(date_trunc('week', day), 'IYYY-"W"IW'). */
function isoWeek(day: string): string {
  const monday = periodBounds(day, 'week').first;
  const thursday = new Date(`${addDays(monday, 3)}T00:00:00Z`);
  const isoYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 / 7) + 1;
  return `${isoYear}-W${String(week).padStart(2, '0')}`;
}

/** The period label of a day, or null if its period is not whole inside the generated days. */
function periodOf(day: string, g: Granularity, from: string, to: string): string | null {
  const { first, last } = periodBounds(day, g);
  if (first < from || last > to) return null;
  return g === 'month' ? day.slice(0, 7) : isoWeek(day);
}

/** A figure: its provider parts (count and key sum mod 2^32 each). */
type Figure = Map<string, Part>;
function addTo(figure: Figure, provider: string, count: number, key: number): void {
  const part = figure.get(provider);
  if (part) {
    part.count += count;
    part.key = addKeys(part.key, key);
  } else figure.set(provider, { provider, count, key });
}

interface Rollup {
  /** Cells by period then dimension values. */
  cells: Map<string, { period: string; label: string; parts: Figure }>;
  periods: Map<string, Figure>;
  grand: Figure;
}

function rollUp(cells: BaseCell[], dims: Dimension[], g: Granularity, from: string, to: string): Rollup {
  const periodCache = new Map<string, string | null>();
  const out: Rollup = { cells: new Map(), periods: new Map(), grand: new Map() };
  for (const c of cells) {
    let period = periodCache.get(c.day);
    if (period === undefined) periodCache.set(c.day, (period = periodOf(c.day, g, from, to)));
    if (period === null) continue;
    const label = dims.map((d) => c[d]).join(' · ');
    const id = `${period}|${label}`;
    let cell = out.cells.get(id);
    if (!cell) out.cells.set(id, (cell = { period, label, parts: new Map() }));
    addTo(cell.parts, c.provider, c.count, c.key);
    let total = out.periods.get(period);
    if (!total) out.periods.set(period, (total = new Map()));
    addTo(total, c.provider, c.count, c.key);
    addTo(out.grand, c.provider, c.count, c.key);
  }
  return out;
}

// ---------- who asks ----------

interface Scenario {
  name: string;
  description: string;
  k: (provider: string) => number;
}
/** A mix of k: every value the region uses, spread over the states (k = 1: exact by choice). */
const MIXED_K: Record<string, number> = { AF: 5, IR: 10, PK: 3, TR: 1, TM: 10, KZ: 3, CN: 5, KG: 1, AZ: 5 };
const SCENARIOS: Scenario[] = [
  { name: 'k5', description: "the secretariat, every state protected with k = 5 (the demo's grants)", k: () => 5 },
  {
    name: 'mixed',
    description: `the secretariat, a mix of k: ${Object.entries(MIXED_K)
      .map(([p, k]) => `${p} ${k}`)
      .join(', ')} (k = 1: published exactly)`,
    k: (p) => MIXED_K[p] ?? 5,
  },
];

// ---------- measures ----------

/** Absolute error buckets: 0, 1, 2, 3, more than 3. */
const BUCKETS = ['0', '1', '2', '3', '>3'] as const;

/** Error counts of small cells: how many off by 0 … >3, how many shown as 0 (left out). */
class SmallCells {
  cells = 0;
  byError = [0, 0, 0, 0, 0];
  omitted = 0;
  signed = 0;
  add(truth: number, published: number): void {
    const e = Math.abs(published - truth);
    this.cells += 1;
    this.byError[Math.min(e, 4)] += 1;
    if (published === 0) this.omitted += 1;
    this.signed += published - truth;
  }
  toJSON() {
    return {
      cells: this.cells,
      byAbsError: Object.fromEntries(BUCKETS.map((b, i) => [b, this.byError[i]])),
      shownAsZero: this.omitted,
      meanSignedError: this.cells ? this.signed / this.cells : null,
    };
  }
}

/** Absolute and relative errors of a set of figures. */
class Errors {
  abs: number[] = [];
  rel: number[] = [];
  truths: number[] = [];
  signed = 0;
  add(truth: number, published: number): void {
    this.truths.push(truth);
    this.abs.push(Math.abs(published - truth));
    this.rel.push(Math.abs(published - truth) / truth);
    this.signed += published - truth;
  }
  summary() {
    const n = this.abs.length;
    const mean = (xs: number[]) => (n ? xs.reduce((a, b) => a + b, 0) / n : null);
    return {
      figures: n,
      meanAbs: mean(this.abs),
      maxAbs: n ? Math.max(...this.abs) : null,
      meanSigned: n ? this.signed / n : null,
      meanRel: mean(this.rel),
      p95Rel: percentile(this.rel, 95),
      maxRel: n ? this.rel.reduce((a, b) => Math.max(a, b), 0) : null,
    };
  }
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const SIZE_BANDS: [string, number, number][] = [
  ['1–9', 1, 9],
  ['10–99', 10, 99],
  ['100–999', 100, 999],
  ['≥ 1,000', 1000, Infinity],
  ['≥ 100', 100, Infinity],
];

interface QuestionResult {
  question: string;
  cells: number;
  rows: number;
  omitted: number;
  exact: number;
  meanAbs: number;
  largeMeanRel: number | null;
  largeMaxRel: number | null;
  /** |sum of a period's published rows − the period's published total|. */
  rowsVsTotalMean: number | null;
  rowsVsTotalMax: number | null;
}

interface ScenarioResult {
  scenario: string;
  description: string;
  questions: QuestionResult[];
  small: SmallCells;
  belowK: Map<number, SmallCells>;
  bands: Map<string, Errors>;
  periodTotals: Map<Granularity, Errors>;
  grandTotals: Map<Granularity, Errors>;
  trueCells: number;
  omitted: number;
  rowsWithoutRecords: number;
}

const violations: string[] = [];
function violation(message: string): void {
  if (violations.length < 20) violations.push(message);
  else if (violations.length === 20) violations.push('… (more left out)');
}

/** Publishes one figure as the aggregator does and checks the method's promises on each part. */
function publishFigure(parts: Figure, rule: PartRule, where: string): { truth: number; published: number } {
  const list = [...parts.values()].filter((p) => p.count !== 0); // HAVING sum(count) <> 0
  const published = publish(list, rule);
  let truth = 0;
  let sum = 0;
  for (const p of list) {
    truth += p.count;
    const r = rule(p.provider);
    const value = r.exact ? p.count : perturb(p.count, p.key, r.k);
    sum += value;
    if (r.exact || r.k <= 1) {
      if (value !== p.count) violation(`${where}: ${p.provider}'s exact part ${p.count} published as ${value}`);
    } else if (p.count < r.k) {
      if (value !== 0 && value !== r.k) violation(`${where}: ${p.provider}'s part ${p.count} below k = ${r.k} published as ${value}`);
    } else if (Math.abs(value - p.count) > MAX_NOISE || value < r.k) {
      violation(`${where}: ${p.provider}'s part ${p.count} (k = ${r.k}) published as ${value}, beyond ±${MAX_NOISE} or below k`);
    }
  }
  if (sum !== published) violation(`${where}: publish gave ${published}, its parts add up to ${sum}`);
  if (truth === 0 && published !== 0) violation(`${where}: a figure with no true records published as ${published}`);
  if (list.length === 1) {
    const r = rule(list[0].provider);
    if (!r.exact && r.k > 1 && published >= 1 && published < r.k) violation(`${where}: a single protected part published as ${published}, below k = ${r.k}`);
  }
  return { truth, published };
}

function measure(cells: BaseCell[], data: DataSet, scenario: Scenario): ScenarioResult {
  const rule: PartRule = (provider) => {
    const k = scenario.k(provider);
    return { exact: k <= 1, k };
  };
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    questions: [],
    small: new SmallCells(),
    belowK: new Map(),
    bands: new Map(SIZE_BANDS.map(([b]) => [b, new Errors()])),
    periodTotals: new Map(),
    grandTotals: new Map(),
    trueCells: 0,
    omitted: 0,
    rowsWithoutRecords: 0,
  };
  for (const g of GRANULARITIES) {
    let totalsDone = false;
    for (const dims of GROUP_BYS) {
      const question = `groupBy=${dims.join(',')} granularity=${g}`;
      const r = rollUp(cells, dims, g, data.from, data.to);
      const q: QuestionResult = {
        question,
        cells: 0,
        rows: 0,
        omitted: 0,
        exact: 0,
        meanAbs: 0,
        largeMeanRel: null,
        largeMaxRel: null,
        rowsVsTotalMean: null,
        rowsVsTotalMax: null,
      };
      const large = new Errors();
      const rowSums = new Map<string, number>();
      let absSum = 0;
      for (const cell of r.cells.values()) {
        const { truth, published } = publishFigure(cell.parts, rule, `${data.name}/${scenario.name} ${question} ${cell.period} ${cell.label}`);
        if (truth === 0) {
          if (published !== 0) result.rowsWithoutRecords += 1;
          continue;
        }
        q.cells += 1;
        result.trueCells += 1;
        if (published === 0) {
          q.omitted += 1;
          result.omitted += 1;
        } else q.rows += 1;
        if (published === truth) q.exact += 1;
        absSum += Math.abs(published - truth);
        rowSums.set(cell.period, (rowSums.get(cell.period) ?? 0) + published);
        if (truth <= 9) result.small.add(truth, published);
        // A single protected part below its k: shown only as 0 or k.
        const parts = [...cell.parts.values()].filter((p) => p.count !== 0);
        if (parts.length === 1) {
          const k = scenario.k(parts[0].provider);
          if (k > 1 && truth < k) {
            const bucket = result.belowK.get(k) ?? new SmallCells();
            bucket.add(truth, published);
            result.belowK.set(k, bucket);
          }
        }
        for (const [band, lo, hi] of SIZE_BANDS) if (truth >= lo && truth <= hi) result.bands.get(band)!.add(truth, published);
        if (truth >= 100) large.add(truth, published);
      }
      q.meanAbs = q.cells ? absSum / q.cells : 0;
      const ls = large.summary();
      q.largeMeanRel = ls.meanRel;
      q.largeMaxRel = ls.maxRel;
      // Period totals and the grand total: figures of their own (the same whatever the grouping).
      const diffs: number[] = [];
      const periodErrors = result.periodTotals.get(g) ?? new Errors();
      for (const [period, parts] of r.periods) {
        const { truth, published } = publishFigure(parts, rule, `${data.name}/${scenario.name} total ${g} ${period}`);
        diffs.push(Math.abs((rowSums.get(period) ?? 0) - published));
        if (!totalsDone) periodErrors.add(truth, published);
      }
      result.periodTotals.set(g, periodErrors);
      if (!totalsDone) {
        const grand = publishFigure(r.grand, rule, `${data.name}/${scenario.name} grand total ${g}`);
        const e = new Errors();
        e.add(grand.truth, grand.published);
        result.grandTotals.set(g, e);
        totalsDone = true;
      }
      q.rowsVsTotalMean = diffs.length ? diffs.reduce((a, b) => a + b, 0) / diffs.length : null;
      q.rowsVsTotalMax = diffs.length ? Math.max(...diffs) : null;
      result.questions.push(q);
    }
  }
  return result;
}

// ---------- report ----------

const fmt = (n: number) => n.toLocaleString('en');
const pct = (x: number | null, digits = 2) =>
  x === null ? '–' : x > 0 && x * 100 < 10 ** -digits / 2 ? `< ${(10 ** -digits).toFixed(digits)}%` : `${(x * 100).toFixed(digits)}%`;
const num = (x: number | null, digits = 2) => (x === null ? '–' : x.toFixed(digits));
const share = (n: number, of: number) => (of ? `${fmt(n)} (${((n / of) * 100).toFixed(1)}%)` : '0');

function smallRow(label: string, s: SmallCells): string {
  return `| ${label} | ${fmt(s.cells)} | ${BUCKETS.map((_, i) => share(s.byError[i], s.cells)).join(' | ')} | ${share(s.omitted, s.cells)} | ${s.cells ? num(s.signed / s.cells) : '–'} |`;
}

interface DataResult {
  data: DataSet;
  records: number;
  baseCells: number;
  generateSeconds: number;
  measureSeconds: number;
  scenarios: ScenarioResult[];
}

function markdown(results: DataResult[], startedAt: string, seconds: number): string {
  const out: string[] = [];
  out.push(`# Utility of the cell-key method: published figures against the truth`, '');
  out.push(
    `Run ${startedAt}${smoke ? ' (**smoke**: small volumes, figures not representative)' : ''}: \`npm run report:utility${argv.length ? ` -- ${argv.join(' ')}` : ''}\`` +
      ` (options \`--scale\`, \`--year\`, \`--month\`), ${seconds.toFixed(1)} s in all. Method: apps/aggregator/src/disclosure/domain/cell-key.ts` +
      ` (MAX_NOISE = ${MAX_NOISE}), each provider's part published on its own and the parts added; a figure published as 0 is left out;` +
      ` record keys from a fixed test secret. Questions: groupBy ${GROUP_BYS.map((d) => d.join(',')).join('; ')}, at month and week` +
      ` granularity, whole periods inside the generated days only. "Error" is published − true.`,
    '',
  );
  for (const d of results) {
    out.push(`## ${d.data.name === 'demo' ? "The demo's data" : 'A larger synthetic year'}`, '');
    out.push(
      `${d.data.description}: ${fmt(d.records)} movements in ${fmt(d.baseCells)} cells of (day, route, crossing point, category);` +
        ` generated and keyed in ${d.generateSeconds.toFixed(1)} s, all questions published in ${d.measureSeconds.toFixed(1)} s.`,
      '',
    );
    for (const s of d.scenarios) {
      out.push(`### As ${s.description}`, '');
      out.push(
        `${fmt(s.trueCells)} true cells over the ${s.questions.length} questions; ${share(s.omitted, s.trueCells)} published as 0 and so left out;` +
          ` published rows with no true records: ${s.rowsWithoutRecords}.`,
        '',
      );
      out.push('Small cells, absolute error |published − true| (a cell shown as 0 is counted in its error column too):', '');
      out.push(`| which cells | cells | error 0 | 1 | 2 | 3 | > 3 | shown as 0 (left out) | mean error |`, `|---|--:|--:|--:|--:|--:|--:|--:|--:|`);
      out.push(smallRow('true 1–9', s.small));
      for (const [k, b] of [...s.belowK].sort((a, b) => a[0] - b[0])) out.push(smallRow(`one state's part, true 1–${k - 1} (below its k = ${k})`, b));
      out.push('');
      out.push('Cells by size:', '');
      out.push(
        `| true count | cells | mean abs. error | max abs. error | mean error | mean rel. error | p95 rel. error | max rel. error |`,
        `|---|--:|--:|--:|--:|--:|--:|--:|`,
      );
      for (const [band, e] of s.bands) {
        const x = e.summary();
        out.push(
          `| ${band} | ${fmt(x.figures)} | ${num(x.meanAbs)} | ${x.maxAbs ?? '–'} | ${num(x.meanSigned)} | ${pct(x.meanRel)} | ${pct(x.p95Rel)} | ${pct(x.maxRel)} |`,
        );
      }
      out.push('');
      out.push('Regional totals (figures of their own):', '');
      out.push(`| total | figures | true (mean) | mean abs. error | max abs. error | mean rel. error | max rel. error |`, `|---|--:|--:|--:|--:|--:|--:|`);
      for (const g of GRANULARITIES) {
        for (const [label, e] of [
          [`per ${g}`, s.periodTotals.get(g)!],
          [`grand (${g}s asked)`, s.grandTotals.get(g)!],
        ] as const) {
          const x = e.summary();
          out.push(
            `| ${label} | ${x.figures} | ${fmt(Math.round(meanTruth(e)))} | ${num(x.meanAbs)} | ${x.maxAbs ?? '–'} | ${pct(x.meanRel, 3)} | ${pct(x.maxRel, 3)} |`,
          );
        }
      }
      out.push('');
      out.push('Per question:', '');
      out.push(
        `| question | true cells | rows published | left out (0) | exact | mean abs. error | ≥ 100: mean / max rel. error | Σ rows − period total: mean / max |`,
        `|---|--:|--:|--:|--:|--:|--:|--:|`,
      );
      for (const q of s.questions) {
        out.push(
          `| ${q.question} | ${fmt(q.cells)} | ${fmt(q.rows)} | ${fmt(q.omitted)} | ${share(q.exact, q.cells)} | ${num(q.meanAbs)} | ${pct(q.largeMeanRel)} / ${pct(q.largeMaxRel)} | ${num(q.rowsVsTotalMean, 1)} / ${q.rowsVsTotalMax ?? '–'} |`,
        );
      }
      out.push('');
    }
  }
  out.push(`## Invariants`, '');
  out.push(
    violations.length === 0
      ? `All held: no single protected part was published as 1 … k−1, no published row lacked true records, no protected part of k or more moved by more than ${MAX_NOISE}, exact parts were exact, and every figure was the sum of its parts.`
      : `**Broken** (the run exits 1):\n\n${violations.map((v) => `- ${v}`).join('\n')}`,
    '',
  );
  return out.join('\n');
}

/** The mean true value of a set of figures. */
function meanTruth(e: Errors): number {
  return e.truths.length ? e.truths.reduce((a, b) => a + b, 0) / e.truths.length : 0;
}

function main(): void {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const results: DataResult[] = [];
  for (const data of [demoData(demoMonth), yearData()]) {
    const { cells, records, seconds } = load(data);
    const t = performance.now();
    const scenarios = SCENARIOS.map((s) => measure(cells, data, s));
    results.push({ data, records, baseCells: cells.length, generateSeconds: seconds, measureSeconds: (performance.now() - t) / 1000, scenarios });
  }
  const seconds = (performance.now() - started) / 1000;
  const md = markdown(results, startedAt, seconds);
  const json = {
    startedAt,
    smoke,
    seconds,
    method: { maxNoise: MAX_NOISE, secret: 'fixed test secret', mixedK: MIXED_K },
    questions: { groupBy: GROUP_BYS, granularities: GRANULARITIES },
    dataSets: results.map((d) => ({
      ...d.data,
      records: d.records,
      baseCells: d.baseCells,
      generateSeconds: d.generateSeconds,
      measureSeconds: d.measureSeconds,
      scenarios: d.scenarios.map((s) => ({
        scenario: s.scenario,
        description: s.description,
        trueCells: s.trueCells,
        omitted: s.omitted,
        rowsWithoutRecords: s.rowsWithoutRecords,
        small1to9: s.small.toJSON(),
        belowK: Object.fromEntries([...s.belowK].map(([k, b]) => [k, b.toJSON()])),
        bySize: Object.fromEntries([...s.bands].map(([band, e]) => [band, e.summary()])),
        periodTotals: Object.fromEntries([...s.periodTotals].map(([g, e]) => [g, { ...e.summary(), meanTrue: meanTruth(e) }])),
        grandTotals: Object.fromEntries([...s.grandTotals].map(([g, e]) => [g, { ...e.summary(), true: meanTruth(e) }])),
        questions: s.questions,
      })),
    })),
    invariants: { held: violations.length === 0, violations },
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `utility-${stamp}.md`), md);
  writeFileSync(join(dir, `utility-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  console.log(md);
  console.log(`written: bench/results/utility-${stamp}.md and .json`);
  if (violations.length > 0) process.exit(1);
}

main();
