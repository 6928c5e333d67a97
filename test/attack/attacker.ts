import { MAX_NOISE, possibleCounts } from '../../apps/aggregator/src/disclosure/domain/cell-key';

/**
 * A curious recipient that tries to recover protected figures from everything it was told.
 *
 * The unknowns are the attacker's *atoms*: the finest cells it can tell apart (a provider's route ×
 * category × the finest period its grants let it see). Every published figure is an observation:
 * the atoms it sums over and what was published — a value, an absent row, or (the old method) a
 * withheld cell with its label. Atoms of the caller's own state are known exactly. The method's
 * public parameters are known too: k per provider, MAX_NOISE, "a protected count below k is
 * published as 0 or k", "a row published as 0 is omitted".
 *
 * A *target* is a protected provider's part of a figure the recipient saw (listed or omitted)
 * whose true count is 1 … k−1. Three attacks try to recover targets:
 * - exact linear algebra: the figures known to be exact, as equations (elimination over the prime
 *   field GF(P), exact integer arithmetic): a target whose indicator lies in their row space is
 *   determined. Against noise, least squares over every published figure gives an estimate;
 * - bounds: the smallest and largest value of the target by linear programming (HiGHS) under
 *   everything the recipient knows; pinned when ceil(min) = floor(max);
 * - differencing: two figures whose atoms differ by a small set (one inside the other, or the same
 *   figure in two releases / at two moments): the difference is the estimate of the small set.
 * The attacker never sees record keys; truth is passed separately and used only to score.
 */

export type Method = 'legacy' | 'cell-key';

export type Published =
  | { kind: 'value'; value: number }
  /** The row is not in the answer (legacy: a true zero; cell-key: published as 0). */
  | { kind: 'absent' }
  /** Legacy only: the cell or total was withheld, with its reason. */
  | { kind: 'withheld'; label: string };

export interface Figure {
  /** Question and row: the same id in two snapshots is the same figure asked again. */
  id: string;
  /** Sorted atom indices. */
  atoms: number[];
  published: Published;
}

export interface Snapshot {
  figures: Figure[];
  /** Atoms the caller knows exactly (its own state's). */
  known: Map<number, number>;
}

export interface Knowledge {
  method: Method;
  /** Provider of each atom. */
  atomProvider: string[];
  /** How each provider's part is published for this caller (public: the grants and the caller). */
  rule: Record<string, { exact: boolean; k: number }>;
  /** In time order (releases, or moments of a live count); figure ids stable across them. */
  snapshots: Snapshot[];
}

/** The true count of each atom in each snapshot: only to score the attacks. */
export type Truth = number[][];

export interface Target {
  snapshot: number;
  provider: string;
  atoms: number[];
  k: number;
  truth: number;
}

/** Errors |estimate − truth| of the best estimate: 0, 1, 2, 3, more than 3. */
export type ErrorHistogram = [number, number, number, number, number];

export interface AttackResult {
  targets: number;
  /** Recovered with certainty: determined by exact equations, pinned by bounds, or a certain difference. */
  exact: number;
  errors: ErrorHistogram;
  /** Recoveries the attacker was certain of but whose value was wrong: a broken model (must be 0). */
  unsound: number;
  /** Attack-specific counts (determined, inconsistent systems, pairs, LPs solved...). */
  notes: Record<string, number>;
}

export interface AttackReport {
  method: Method;
  algebra: AttackResult;
  bounds: AttackResult;
  differencing: AttackResult;
}

export interface HighsLike {
  solve(problem: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const emptyHistogram = (): ErrorHistogram => [0, 0, 0, 0, 0];
const bucket = (h: ErrorHistogram, error: number) => {
  h[Math.min(Math.abs(Math.round(error)), 4)] += 1;
};
const atomsKey = (atoms: readonly number[]) => atoms.join(',');
const noise = (k: number) => Math.max(MAX_NOISE, k - 1);

/** Protected parts of figures with a true count of 1 … k−1, one per (snapshot, provider, atoms). */
export function targetsOf(knowledge: Knowledge, truth: Truth): Target[] {
  const targets = new Map<string, Target>();
  knowledge.snapshots.forEach((snapshot, s) => {
    for (const figure of snapshot.figures) {
      for (const [provider, atoms] of partsOf(knowledge, figure.atoms)) {
        const rule = knowledge.rule[provider];
        if (rule.exact) continue;
        const t = sum(atoms.map((a) => truth[s][a]));
        const id = `${s}|${provider}|${atomsKey(atoms)}`;
        if (t >= 1 && t < rule.k && !targets.has(id)) targets.set(id, { snapshot: s, provider, atoms, k: rule.k, truth: t });
      }
    }
  });
  return [...targets.values()];
}

function partsOf(knowledge: Knowledge, atoms: readonly number[]): Map<string, number[]> {
  const parts = new Map<string, number[]>();
  for (const a of atoms) {
    const p = knowledge.atomProvider[a];
    const list = parts.get(p) ?? [];
    list.push(a);
    parts.set(p, list);
  }
  return parts;
}

/** One figure per distinct (atoms, published) in a snapshot: repeats carry nothing new. */
function distinct(figures: readonly Figure[]): Figure[] {
  const seen = new Map<string, Figure>();
  for (const f of figures) {
    const key = `${atomsKey(f.atoms)}|${JSON.stringify(f.published)}`;
    if (!seen.has(key) && f.atoms.length > 0) seen.set(key, f);
  }
  return [...seen.values()];
}

/** Whether a figure's published value is exact for this caller: the old method's values, or only exact parts. */
function exactValue(knowledge: Knowledge, figure: Figure): number | null {
  const p = figure.published;
  if (p.kind === 'withheld') return null;
  const value = p.kind === 'value' ? p.value : 0;
  if (knowledge.method === 'legacy') return value;
  for (const provider of partsOf(knowledge, figure.atoms).keys()) if (!knowledge.rule[provider].exact) return null;
  return value;
}

/** A figure's published number, taken at face value (noisy or not); null when withheld. */
const faceValue = (figure: Figure): number | null =>
  figure.published.kind === 'value' ? figure.published.value : figure.published.kind === 'absent' ? 0 : null;

// ---------------------------------------------------------------------------------------------
// Exact linear algebra over GF(P): exact integer arithmetic (P < 2^26, so products stay below 2^52).

const P = 67_108_859;
const mod = (a: number) => ((a % P) + P) % P;
const mul = (a: number, b: number) => (a * b) % P;
function inverse(a: number): number {
  let [r0, r1, s0, s1] = [mod(a), P, 1, 0];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0);
}
/** The integer a residue stands for (values here are far below P/2 in size). */
const signed = (a: number) => (a > P / 2 ? a - P : a);

/**
 * Row-reduced system of exact equations Σ coef·x = rhs. Each pivot row holds no column that is the
 * pivot of an earlier row, so reducing a vector by the pivots in insertion order leaves no pivot
 * column behind.
 */
export class ExactSystem {
  private readonly rows: { col: number; row: Map<number, number>; rhs: number }[] = [];
  private readonly pivotCols = new Set<number>();
  inconsistent = 0;

  private reduce(vector: Map<number, number>): { residual: Map<number, number>; acc: number } {
    let acc = 0;
    for (const { col, row, rhs } of this.rows) {
      const c = vector.get(col);
      if (c === undefined) continue;
      for (const [j, v] of row) {
        const next = mod((vector.get(j) ?? 0) - mul(c, v));
        if (next === 0) vector.delete(j);
        else vector.set(j, next);
      }
      acc = mod(acc + mul(c, rhs));
    }
    return { residual: vector, acc };
  }

  /** Adds Σ atoms = value; false if it contradicts the equations so far. */
  add(atoms: readonly number[], value: number): boolean {
    const { residual, acc } = this.reduce(new Map(atoms.map((a) => [a, 1])));
    const rest = mod(value - acc);
    if (residual.size === 0) {
      if (rest !== 0) this.inconsistent += 1;
      return rest === 0;
    }
    const [col, coef] = residual.entries().next().value as [number, number];
    const inv = inverse(coef);
    for (const [j, v] of residual) residual.set(j, mul(v, inv));
    this.rows.push({ col, row: residual, rhs: mul(rest, inv) });
    this.pivotCols.add(col);
    return true;
  }

  /** The value of Σ atoms if the equations determine it, else null. */
  determined(atoms: readonly number[]): number | null {
    const { residual, acc } = this.reduce(new Map(atoms.map((a) => [a, 1])));
    return residual.size === 0 ? signed(acc) : null;
  }

  get rank(): number {
    return this.rows.length;
  }
}

/** Least squares (conjugate gradients on the normal equations, from 0: the minimum-norm solution). */
export function leastSquares(n: number, equations: { atoms: number[]; value: number }[], iterations = 300): Float64Array {
  const x = new Float64Array(n);
  const apply = (v: Float64Array) => {
    const out = new Float64Array(n);
    for (const e of equations) {
      let s = 0;
      for (const a of e.atoms) s += v[a];
      for (const a of e.atoms) out[a] += s;
    }
    return out;
  };
  const r = new Float64Array(n);
  for (const e of equations) for (const a of e.atoms) r[a] += e.value;
  const p = Float64Array.from(r);
  let rr = r.reduce((s, v) => s + v * v, 0);
  for (let i = 0; i < iterations && rr > 1e-12; i++) {
    const ap = apply(p);
    const pap = p.reduce((s, v, j) => s + v * ap[j], 0);
    if (pap <= 0) break;
    const alpha = rr / pap;
    for (let j = 0; j < n; j++) {
      x[j] += alpha * p[j];
      r[j] -= alpha * ap[j];
    }
    const next = r.reduce((s, v) => s + v * v, 0);
    for (let j = 0; j < n; j++) p[j] = r[j] + (next / rr) * p[j];
    rr = next;
  }
  return x;
}

export function algebraAttack(knowledge: Knowledge, truth: Truth, targets: Target[]): AttackResult {
  const result: AttackResult = { targets: targets.length, exact: 0, errors: emptyHistogram(), unsound: 0, notes: { determined: 0, inconsistent: 0, rank: 0 } };
  const n = knowledge.atomProvider.length;
  const perSnapshot = knowledge.snapshots.map((snapshot) => {
    const system = new ExactSystem();
    for (const [a, v] of snapshot.known) system.add([a], v);
    const figures = distinct(snapshot.figures);
    for (const f of figures) {
      const v = exactValue(knowledge, f);
      if (v !== null) system.add(f.atoms, v);
    }
    const equations: { atoms: number[]; value: number }[] = [...snapshot.known].map(([a, v]) => ({ atoms: [a], value: v }));
    for (const f of figures) {
      const v = faceValue(f);
      if (v !== null) equations.push({ atoms: f.atoms, value: v });
    }
    result.notes.inconsistent += system.inconsistent;
    result.notes.rank += system.rank;
    return { system, estimate: leastSquares(n, equations) };
  });
  for (const t of targets) {
    const { system, estimate } = perSnapshot[t.snapshot];
    const value = system.determined(t.atoms);
    if (value !== null) {
      result.exact += 1;
      result.notes.determined += 1;
      if (value !== t.truth) result.unsound += 1;
      bucket(result.errors, value - t.truth);
    } else {
      bucket(result.errors, Math.max(0, Math.round(sum(t.atoms.map((a) => estimate[a])))) - t.truth);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Bounds by linear programming.

export interface BoundsModel {
  /** LP constraint lines (without the objective), over variables x<atom>. */
  constraints: string[];
  /** Atoms whose value the attacker knows (own, or shown to be zero), with the value. */
  fixed: Map<number, number>;
}

/**
 * Everything the attacker knows of one snapshot, as linear constraints on the atoms (x ≥ 0):
 * - the old method: a value is an equation; an absent row a zero; `small_cell` / `small_total`:
 *   some provider's part is 1 … k−1 — for a single protected provider exactly that, else only
 *   "the row exists" (Σ ≥ 1); `complementary`: no part is small — a single provider's part is ≥ k,
 *   else Σ ≥ 1;
 * - cell-key: an omitted row: exact parts 0, each protected part ≤ k−1; a value P with exact parts
 *   only: an equation; with one protected part and the exact parts known: that part within
 *   possibleCounts(P − known, k); otherwise Σ within [P − Σ d, P + Σ d] with d = max(MAX_NOISE, k−1)
 *   per protected part, exact parts ≤ P − known, and a protected part whose k is above that is
 *   published as 0, so ≤ k−1.
 */
export function boundsModel(knowledge: Knowledge, snapshot: Snapshot): BoundsModel {
  const fixed = new Map(snapshot.known);
  const figures = distinct(snapshot.figures);
  for (const f of figures) {
    const zero = (atoms: number[]) => atoms.forEach((a) => fixed.has(a) || fixed.set(a, 0));
    if (f.published.kind === 'absent' && knowledge.method === 'legacy') zero(f.atoms);
    if (exactValue(knowledge, f) === 0) zero(f.atoms);
    if (f.published.kind === 'absent' && knowledge.method === 'cell-key')
      for (const [provider, atoms] of partsOf(knowledge, f.atoms)) if (knowledge.rule[provider].exact) zero(atoms);
  }
  const constraints: string[] = [];
  const terms = (atoms: number[]) => atoms.map((a) => `x${a}`).join(' + ');
  const add = (atoms: number[], op: '>=' | '<=' | '=', value: number) => {
    if (atoms.length === 0) return;
    constraints.push(` c${constraints.length}: ${terms(atoms)} ${op} ${value}`);
  };
  for (const f of figures) {
    const unknown = f.atoms.filter((a) => !fixed.has(a));
    if (unknown.length === 0) continue;
    const known = sum(f.atoms.filter((a) => fixed.has(a)).map((a) => fixed.get(a)!));
    const parts = partsOf(knowledge, unknown);
    const protectedParts = [...parts].filter(([p]) => !knowledge.rule[p].exact);
    const exactUnknown = [...parts].filter(([p]) => knowledge.rule[p].exact).flatMap(([, atoms]) => atoms);
    const pub = f.published;
    if (knowledge.method === 'legacy') {
      if (pub.kind === 'value') add(unknown, '=', pub.value - known);
      else if (pub.kind === 'withheld') {
        // A lone protected provider with nothing else in the row: the row exists, so its part is ≥ 1.
        const single = protectedParts.length === 1 && parts.size === 1 && known === 0 ? protectedParts[0] : null;
        if (pub.label === 'complementary') {
          if (single) add(single[1], '>=', knowledge.rule[single[0]].k);
          else add(unknown, '>=', 1 - known);
        } else if (protectedParts.length === 1) {
          const [provider, atoms] = protectedParts[0];
          add(atoms, '>=', 1);
          add(atoms, '<=', knowledge.rule[provider].k - 1);
        } else add(unknown, '>=', 1 - known);
      }
      continue;
    }
    // cell-key
    const published = pub.kind === 'value' ? pub.value : 0;
    const rest = published - known;
    if (protectedParts.length === 0) {
      add(unknown, '=', rest);
      continue;
    }
    if (pub.kind === 'absent') {
      for (const [provider, atoms] of protectedParts) add(atoms, '<=', knowledge.rule[provider].k - 1);
      continue;
    }
    if (protectedParts.length === 1 && exactUnknown.length === 0) {
      const [provider, atoms] = protectedParts[0];
      const k = knowledge.rule[provider].k;
      if (rest > 0 && rest < k) throw new Error(`figure ${f.id}: a protected part published as ${rest}, neither 0 nor ≥ k = ${k}`);
      const range = possibleCounts(rest, k);
      add(atoms, '>=', range.min);
      add(atoms, '<=', range.max);
      continue;
    }
    const d = sum(protectedParts.map(([p]) => noise(knowledge.rule[p].k)));
    add(unknown, '>=', Math.max(0, rest - d));
    add(unknown, '<=', rest + d);
    add(exactUnknown, '<=', rest);
    for (const [provider, atoms] of protectedParts) if (knowledge.rule[provider].k > rest) add(atoms, '<=', knowledge.rule[provider].k - 1);
  }
  return { constraints, fixed };
}

export interface Bound {
  min: number;
  max: number;
  pinned: boolean;
}

/** Smallest and largest value of Σ atoms under the model (max Infinity when unbounded). */
export function bound(highs: HighsLike, model: BoundsModel, atoms: readonly number[]): Bound {
  const offset = sum(atoms.filter((a) => model.fixed.has(a)).map((a) => model.fixed.get(a)!));
  const free = atoms.filter((a) => !model.fixed.has(a));
  if (free.length === 0) return { min: offset, max: offset, pinned: true };
  const solve = (sense: 'Minimize' | 'Maximize') => {
    // Every free atom of the target is declared in the objective, so x ≥ 0 holds for it even if no constraint names it.
    const lp = [sense, ` obj: ${free.map((a) => `x${a}`).join(' + ')}`, 'Subject To', ...model.constraints, 'End'].join('\n');
    const out = highs.solve(lp);
    if (out.Status === 'Optimal') return out.ObjectiveValue + offset;
    if (out.Status === 'Unbounded' && sense === 'Maximize') return Infinity;
    throw new Error(`bounds LP ${sense}: ${out.Status} — the attacker's model contradicts what was published`);
  };
  const min = solve('Minimize');
  const max = solve('Maximize');
  return { min, max, pinned: Number.isFinite(max) && Math.ceil(min - 1e-6) === Math.floor(max + 1e-6) };
}

const midpoint = (b: Bound) => (Number.isFinite(b.max) ? Math.round((Math.ceil(b.min - 1e-6) + Math.floor(b.max + 1e-6)) / 2) : Math.ceil(b.min - 1e-6));

export function boundsAttack(highs: HighsLike, knowledge: Knowledge, truth: Truth, targets: Target[], limit = Infinity): AttackResult {
  const result: AttackResult = { targets: 0, exact: 0, errors: emptyHistogram(), unsound: 0, notes: { lps: 0, outside: 0, of: targets.length } };
  const models = knowledge.snapshots.map((s) => boundsModel(knowledge, s));
  for (const t of spread(targets, limit)) {
    const b = bound(highs, models[t.snapshot], t.atoms);
    result.targets += 1;
    result.notes.lps += 2;
    if (t.truth < b.min - 1e-6 || t.truth > b.max + 1e-6) result.notes.outside += 1;
    if (b.pinned) {
      result.exact += 1;
      if (Math.ceil(b.min - 1e-6) !== t.truth) result.unsound += 1;
    }
    bucket(result.errors, midpoint(b) - t.truth);
  }
  result.unsound += result.notes.outside;
  return result;
}

/** At most `limit` items, evenly spread over the list (deterministic). */
export function spread<T>(items: T[], limit: number): T[] {
  if (items.length <= limit) return items;
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}

// ---------------------------------------------------------------------------------------------
// Differencing.

export interface Difference {
  /** The small set: atoms of one protected provider (plus atoms the caller knows). */
  provider: string;
  atoms: number[];
  estimate: number;
  truth: number;
  certain: boolean;
  kind: 'nested' | 'over-time';
}

/**
 * Pairs of figures whose difference is a small set of one protected provider's records:
 * - nested: B ⊃ A in the same snapshot, B \ A all one protected provider's atoms (or known ones) —
 *   a narrow and a wide filter, a week inside a month, a cell inside its margin;
 * - over time: the same figure in two snapshots (before and after new records, a retraction or a
 *   new release), all of whose unknown atoms are one protected provider's.
 * The estimate is the difference of the published numbers less what the caller knows; it is
 * certain when both numbers are exact (the old method's values).
 */
export function differences(knowledge: Knowledge, truth: Truth): Difference[] {
  const out = new Map<string, Difference>();
  const put = (key: string, d: Difference) => {
    const prev = out.get(key);
    if (!prev || (d.certain && !prev.certain)) out.set(key, d);
  };
  const numeric = (f: Figure) => (knowledge.method === 'legacy' ? exactValue(knowledge, f) : faceValue(f));
  const exactFor = (f: Figure) => exactValue(knowledge, f) !== null;
  knowledge.snapshots.forEach((snapshot, s) => {
    const figures = distinct(snapshot.figures).filter((f) => numeric(f) !== null);
    const index = new Map<number, number[]>();
    figures.forEach((f, i) => f.atoms.forEach((a) => index.set(a, [...(index.get(a) ?? []), i])));
    figures.forEach((b) => {
      const inB = new Map<number, number>();
      for (const a of b.atoms) for (const i of index.get(a) ?? []) inB.set(i, (inB.get(i) ?? 0) + 1);
      const bSet = new Set(b.atoms);
      for (const [i, hits] of inB) {
        const a = figures[i];
        if (hits !== a.atoms.length || a.atoms.length === b.atoms.length) continue;
        const aSet = new Set(a.atoms);
        const rest = b.atoms.filter((x) => !aSet.has(x) && bSet.has(x));
        const d = smallSet(knowledge, snapshot, truth[s], rest);
        if (!d) continue;
        const estimate = numeric(b)! - numeric(a)! - d.known;
        put(`n|${s}|${d.provider}|${atomsKey(d.atoms)}`, {
          provider: d.provider,
          atoms: d.atoms,
          estimate,
          truth: d.truth,
          certain: exactFor(a) && exactFor(b),
          kind: 'nested',
        });
      }
    });
  });
  for (let s = 1; s < knowledge.snapshots.length; s++) {
    const before = new Map(knowledge.snapshots[s - 1].figures.map((f) => [f.id, f]));
    for (const after of knowledge.snapshots[s].figures) {
      const prev = before.get(after.id);
      if (!prev || atomsKey(prev.atoms) !== atomsKey(after.atoms)) continue;
      const x = numeric(prev);
      const y = numeric(after);
      if (x === null || y === null) continue;
      const unknown = after.atoms.filter((a) => !knowledge.snapshots[s].known.has(a));
      const providers = new Set(unknown.map((a) => knowledge.atomProvider[a]));
      if (providers.size !== 1) continue;
      const provider = [...providers][0];
      const rule = knowledge.rule[provider];
      if (rule.exact) continue;
      const change = sum(unknown.map((a) => truth[s][a] - truth[s - 1][a]));
      if (change === 0 || Math.abs(change) >= rule.k) continue;
      const knownChange = sum(
        after.atoms
          .filter((a) => knowledge.snapshots[s].known.has(a))
          .map((a) => knowledge.snapshots[s].known.get(a)! - (knowledge.snapshots[s - 1].known.get(a) ?? 0)),
      );
      put(`t|${s}|${provider}|${atomsKey(unknown)}`, {
        provider,
        atoms: unknown,
        estimate: y - x - knownChange,
        truth: change,
        certain: exactFor(prev) && exactFor(after),
        kind: 'over-time',
      });
    }
  }
  return [...out.values()];
}

/** If `atoms` less the known ones are one protected provider's with a true count of 1 … k−1: that set. */
function smallSet(knowledge: Knowledge, snapshot: Snapshot, truth: number[], atoms: number[]) {
  const unknown = atoms.filter((a) => !snapshot.known.has(a));
  if (unknown.length === 0) return null;
  const provider = knowledge.atomProvider[unknown[0]];
  if (unknown.some((a) => knowledge.atomProvider[a] !== provider) || knowledge.rule[provider].exact) return null;
  const t = sum(unknown.map((a) => truth[a]));
  if (t < 1 || t >= knowledge.rule[provider].k) return null;
  return { provider, atoms: unknown, truth: t, known: sum(atoms.filter((a) => snapshot.known.has(a)).map((a) => snapshot.known.get(a)!)) };
}

export function differencingAttack(knowledge: Knowledge, truth: Truth): AttackResult {
  const result: AttackResult = { targets: 0, exact: 0, errors: emptyHistogram(), unsound: 0, notes: { nested: 0, overTime: 0, right: 0 } };
  for (const d of differences(knowledge, truth)) {
    result.targets += 1;
    result.notes[d.kind === 'nested' ? 'nested' : 'overTime'] += 1;
    if (d.estimate === d.truth) result.notes.right += 1;
    if (d.certain) {
      result.exact += 1;
      if (d.estimate !== d.truth) result.unsound += 1;
    }
    bucket(result.errors, d.estimate - d.truth);
  }
  return result;
}

/** Every attack on what one caller was told. `boundsLimit` caps the LPs (targets evenly spread). */
export function attack(highs: HighsLike, knowledge: Knowledge, truth: Truth, boundsLimit = Infinity): AttackReport {
  const targets = targetsOf(knowledge, truth);
  return {
    method: knowledge.method,
    algebra: algebraAttack(knowledge, truth, targets),
    bounds: boundsAttack(highs, knowledge, truth, targets, boundsLimit),
    differencing: differencingAttack(knowledge, truth),
  };
}

/** A compact table of reports, one line per (label, attack). */
export function formatReports(rows: { label: string; report: AttackReport }[]): string {
  const lines = ['caller/method                      attack        targets  exact   err0  err1  err2  err3  err>3'];
  for (const { label, report } of rows) {
    for (const name of ['algebra', 'bounds', 'differencing'] as const) {
      const r = report[name];
      lines.push(
        `${label.padEnd(34)} ${name.padEnd(13)} ${String(r.targets).padStart(7)} ${String(r.exact).padStart(6)} ${r.errors.map((e) => String(e).padStart(5)).join(' ')}`,
      );
    }
  }
  return lines.join('\n');
}
