import { createHmac } from 'node:crypto';

/**
 * The cell-key method (ABS TableBuilder, ONS custom tables), per provider part.
 *
 * Every record has a secret key in [0, KEY_RANGE): a keyed hash of its id with a secret only the
 * aggregator holds. A figure's key is the sum of its records' keys mod KEY_RANGE, so it is additive
 * like the count beside it (kept in the projections, added and taken away with each event) and the
 * same records always give the same key, whichever question gathered them. `perturb` turns
 * (count, key) into the published value through a fixed table: asking again, re-slicing or
 * differencing gains nothing exact, and a count below k is never shown as itself.
 */

export const KEY_RANGE = 4_294_967_296; // 2^32

/** The largest change perturb makes to a count of at least k (a public parameter of the method). */
export const MAX_NOISE = 3;

/** Weights of the noise −3 … +3 for a count of at least k: centred, variance 1.12. */
const NOISE_WEIGHTS = [0.01, 0.06, 0.23, 0.4, 0.23, 0.06, 0.01] as const;

/** A record's key: the first four bytes of HMAC-SHA256(secret, id), big-endian. */
export function recordKey(secret: Buffer, id: string): number {
  return createHmac('sha256', secret).update(id).digest().readUInt32BE(0);
}

/** (a + b) mod KEY_RANGE, for keys and key sums. */
export const addKeys = (a: number, b: number): number => (a + b) % KEY_RANGE;

/** The key that takes a record's key back out of a sum (a retraction). */
export const negateKey = (key: number): number => (KEY_RANGE - key) % KEY_RANGE;

/**
 * The published value of a count with figure key `cellKey`, for a provider whose k is `k`:
 * - 0 stays 0;
 * - 1 … k−1 becomes k with probability count/k and 0 otherwise (unbiased, never itself);
 * - k and more moves by at most MAX_NOISE, never below k.
 * Deterministic in (count, cellKey, k). k = 1 means exact.
 */
export function perturb(count: number, cellKey: number, k: number): number {
  if (count <= 0 || k <= 1) return Math.max(count, 0);
  const u = cellKey / KEY_RANGE;
  if (count < k) return u < count / k ? k : 0;
  const allowed = NOISE_WEIGHTS.map((w, i) => ({ noise: i - MAX_NOISE, w })).filter((x) => count + x.noise >= k);
  const total = allowed.reduce((s, x) => s + x.w, 0);
  let acc = 0;
  for (const x of allowed) {
    acc += x.w / total;
    if (u < acc) return count + x.noise;
  }
  return count + allowed[allowed.length - 1].noise;
}

/** One provider's part of a figure: how many of its records, and their key sum mod KEY_RANGE. */
export interface Part {
  provider: string;
  count: number;
  key: number;
}

/** How a provider's part is published for this caller: exact (its own data, or k = 1), or perturbed with its k. */
export type PartRule = (provider: string) => { exact: boolean; k: number };

/** A figure as published: each provider's part exact or perturbed on its own, then added. */
export function publish(parts: readonly Part[], rule: PartRule): number {
  let value = 0;
  for (const p of parts) {
    const r = rule(p.provider);
    value += r.exact ? p.count : perturb(p.count, p.key, r.k);
  }
  return value;
}

/**
 * What a caller who knows the method (not the keys) can say of a count whose single protected part
 * was published as `value`: the smallest and largest counts that could have produced it.
 */
export function possibleCounts(value: number, k: number): { min: number; max: number } {
  if (k <= 1) return { min: value, max: value };
  if (value === 0) return { min: 0, max: k - 1 };
  if (value === k) return { min: 1, max: k + MAX_NOISE };
  return { min: Math.max(k, value - MAX_NOISE), max: value + MAX_NOISE };
}
