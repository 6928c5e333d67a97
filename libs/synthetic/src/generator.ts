import { AgeBand, Category, Sex, findBorderCrossingPoint, isCountryCode } from '@caravanserai/contracts';
import { bandFor, dateOfBirthFor, needsFor, personalData } from './people';
import { Rng, Weighted, hashSeed, mulberry32, pick, weighted } from './random';
import { DEFAULT_ROUTES, RouteSpec } from './routes';

/** The fields of the node's RawMovement (kept here: libraries must not import apps). */
export interface RawMovementLike {
  recordId: string;
  crossedAt: string;
  direction: string;
  borderCrossingPoint: string;
  citizenship: string;
  departedFrom?: string | null;
  intendedDestination?: string | null;
  category: string;
  sex: string;
  dateOfBirth?: string | null;
  specificNeeds?: string[];
  // Personal data, which the node drops in memory.
  fullName?: string;
  documentNumber?: string;
  documentType?: string;
  phone?: string;
  address?: string;
  notes?: string;
}
export type SyntheticMovement = RawMovementLike & { provider: string };

/** Multiplies a route's volume by `factor` from `from` to `to` (inclusive, YYYY-MM-DD). */
export interface Surge {
  routeId: string;
  from: string;
  to: string;
  factor: number;
}
/** No records at `crossingPoint` from `from` to `to`; its share goes to the route's other points. */
export interface Closure {
  crossingPoint: string;
  from: string;
  to: string;
}

export interface GeneratorOptions {
  seed: number;
  from: string;
  /** Inclusive, YYYY-MM-DD. */
  to: string;
  /** 1.0 is the calibrated real volume (~14,700 records a day with the default routes). */
  scale: number;
  providers?: string[];
  routes?: RouteSpec[];
  surges?: Surge[];
  closures?: Closure[];
  /** Default `SYN-`; recordId is `<prefix><provider>-<YYYYMMDD>-<sequence of that provider's day>`. */
  recordIdPrefix?: string;
  /** Default true: fill fullName, documentNumber, documentType, phone, address, notes. */
  withPersonalData?: boolean;
}

/** Local UTC offset of each provider state, in minutes. */
export const UTC_OFFSETS: Record<string, number> = { AF: 270, IR: 210, PK: 300, TR: 180, TM: 300, KZ: 300, KG: 360, AZ: 240, CN: 480 };
/** Day of the week (0 = Sunday) with the fewest crossings: Friday where it is the weekend. */
const QUIET_DAY: Record<string, number> = { AF: 5, IR: 5 };
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface CompiledRoute {
  spec: RouteSpec;
  offset: string;
  offsetMinutes: number;
  categories: Weighted<Category>;
  citizenships: Weighted<string>;
  sexes: Weighted<Sex>;
  ages: Weighted<AgeBand>;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
function parseDay(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!DATE.test(day) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new Error(`not a YYYY-MM-DD date: ${day}`);
  return ms;
}

function compile(spec: RouteSpec): CompiledRoute {
  const bad = spec.crossingPoints.filter((c) => findBorderCrossingPoint(c)?.state !== spec.provider);
  if (bad.length || !spec.crossingPoints.length)
    throw new Error(`route ${spec.id}: crossing points not in ${spec.provider}: ${bad.join(', ') || 'none given'}`);
  const countries = [spec.departedFrom, spec.intendedDestination, ...Object.keys(spec.citizenshipMix)].filter((c): c is string => c !== null);
  if (countries.some((c) => !isCountryCode(c))) throw new Error(`route ${spec.id}: unknown country code`);
  const offsetMinutes = UTC_OFFSETS[spec.provider];
  if (offsetMinutes === undefined) throw new Error(`route ${spec.id}: no UTC offset for ${spec.provider}`);
  return {
    spec,
    offsetMinutes,
    offset: `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`,
    categories: weighted(spec.categoryMix),
    citizenships: weighted(spec.citizenshipMix),
    sexes: weighted(spec.sexMix),
    ages: weighted(spec.ageMix),
  };
}

/** Expected records of a route on a day: volume x scale x weekday x season x surges x noise. */
function expectedCount(rng: Rng, r: CompiledRoute, day: string, dayMs: number, scale: number, surges: Surge[]): number {
  const date = new Date(dayMs);
  const weekday = date.getUTCDay() === (QUIET_DAY[r.spec.provider] ?? 0) ? 0.7 : 1.05; // mean 1 over a week
  const season = r.spec.seasonality?.[date.getUTCMonth()] ?? 1;
  const surge = surges.reduce((f, s) => (s.routeId === r.spec.id && s.from <= day && day <= s.to ? f * s.factor : f), 1);
  const noise = 1 + 0.2 * (rng() - rng()); // mild, triangular in [0.8, 1.2]
  return r.spec.dailyVolume * scale * weekday * season * surge * noise;
}

interface Pending {
  at: number;
  provider: string;
  record: SyntheticMovement;
}

/** One route's records on one day, from an RNG of their own: the same (seed, route, day) always
 * gives the same records, whatever the date range or the other routes asked for. */
function routeDay(r: CompiledRoute, day: string, dayMs: number, opts: GeneratorOptions, out: Pending[]): void {
  const rng = mulberry32(hashSeed(opts.seed, r.spec.id, day));
  const n = Math.floor(expectedCount(rng, r, day, dayMs, opts.scale, opts.surges ?? []) + rng());
  const closed = new Set((opts.closures ?? []).filter((c) => c.from <= day && day <= c.to).map((c) => c.crossingPoint));
  const open: Record<string, number> = {};
  r.spec.crossingPoints.forEach((c, i) => {
    if (!closed.has(c)) open[c] = r.spec.pointWeights?.[i] ?? 1;
  });
  if (n <= 0 || !Object.values(open).some((w) => w > 0)) return;
  const points = weighted(open);
  const { spec } = r;
  for (let i = 0; i < n; i++) {
    // Most crossings while the post is busiest (06:00-19:59), some at any hour.
    const hour = rng() < 0.85 ? 6 + Math.floor(rng() * 14) : Math.floor(rng() * 24);
    const minute = Math.floor(rng() * 60),
      second = Math.floor(rng() * 60);
    const borderCrossingPoint = pick(rng, points);
    const category = pick(rng, r.categories);
    const citizenship = category === 'stateless' ? 'XX' : pick(rng, r.citizenships);
    const sex = pick(rng, r.sexes);
    const band = bandFor(rng, category, pick(rng, r.ages));
    const dateOfBirth = dateOfBirthFor(rng, band, day);
    const specificNeeds = needsFor(rng, category, sex, band, spec.needsRate);
    const record: SyntheticMovement = {
      provider: spec.provider,
      recordId: '',
      crossedAt: `${day}T${pad(hour)}:${pad(minute)}:${pad(second)}${r.offset}`,
      direction: spec.direction,
      borderCrossingPoint,
      citizenship,
      departedFrom: spec.departedFrom,
      intendedDestination: spec.intendedDestination,
      category,
      sex,
    };
    if (dateOfBirth) record.dateOfBirth = dateOfBirth;
    if (specificNeeds.length) record.specificNeeds = specificNeeds;
    if (opts.withPersonalData ?? true) {
      const residence = (spec.direction === 'entry' ? spec.intendedDestination : spec.departedFrom) ?? citizenship;
      Object.assign(record, personalData(rng, { citizenship, sex, category, residence, crossingPoint: borderCrossingPoint }));
    }
    out.push({ at: dayMs + ((hour * 60 + minute - r.offsetMinutes) * 60 + second) * 1000, provider: spec.provider, record });
  }
}

/**
 * Plausible raw movement records, day by day from `from` to `to`; within a day, all routes in the
 * order of the crossings' instants. Strip `provider` before posting to that provider's node.
 */
export function* generateMovements(opts: GeneratorOptions): Generator<SyntheticMovement> {
  const first = parseDay(opts.from),
    last = parseDay(opts.to);
  if (!(opts.scale >= 0)) throw new Error(`scale must be >= 0, got ${opts.scale}`);
  const routes = (opts.routes ?? DEFAULT_ROUTES).filter((r) => !opts.providers || opts.providers.includes(r.provider)).map(compile);
  const ids = new Set<string>();
  for (const r of routes) {
    if (ids.has(r.spec.id)) throw new Error(`duplicate route id ${r.spec.id}`);
    ids.add(r.spec.id);
  }
  const prefix = opts.recordIdPrefix ?? 'SYN-';
  for (let dayMs = first; dayMs <= last; dayMs += DAY_MS) {
    const day = new Date(dayMs).toISOString().slice(0, 10);
    const pending: Pending[] = [];
    for (const r of routes) routeDay(r, day, dayMs, opts, pending);
    pending.sort((a, b) => a.at - b.at); // stable: ties keep route order
    const sequence: Record<string, number> = {};
    const compact = day.replace(/-/g, '');
    for (const { provider, record } of pending) {
      const n = (sequence[provider] = (sequence[provider] ?? 0) + 1);
      record.recordId = `${prefix}${provider}-${compact}-${String(n).padStart(6, '0')}`;
      yield record;
    }
  }
}

/** The record as a node expects it: everything but `provider`. */
export function toRawMovement({ provider: _provider, ...raw }: SyntheticMovement): RawMovementLike {
  return raw;
}

/** Consecutive arrays of at most `size` items (the node takes up to 5,000 records a batch). */
export function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  if (!(size >= 1)) throw new Error(`batch size must be >= 1, got ${size}`);
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
