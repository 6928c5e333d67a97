/** A small seeded PRNG and the weighted choices built on it. No Math.random anywhere: the same
 * seed gives the same numbers on every machine. */
export type Rng = () => number;

/** mulberry32: 32-bit state, uniform in [0, 1). Plenty for synthetic data, not for crypto. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts, finished with murmur3's fmix32: a seed per (seed, route, day). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0001')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const oneOf = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
/** `n` random decimal digits (n <= 15), leading zeros kept. */
export const digits = (rng: Rng, n: number): string => String(Math.floor(rng() * 10 ** n)).padStart(n, '0');

/** A precomputed weighted choice over the keys of a mix (weights need not sum to 1). */
export interface Weighted<K> {
  keys: K[];
  cumulative: number[];
}

export function weighted<K extends string>(mix: Partial<Record<K, number>>): Weighted<K> {
  const keys = (Object.keys(mix) as K[]).filter((k) => (mix[k] ?? 0) > 0);
  if (keys.length === 0) throw new Error(`empty mix ${JSON.stringify(mix)}`);
  let sum = 0;
  return { keys, cumulative: keys.map((k) => (sum += mix[k] as number)) };
}

export function pick<K>(rng: Rng, w: Weighted<K>): K {
  const x = rng() * w.cumulative[w.cumulative.length - 1];
  for (let i = 0; i < w.keys.length; i++) if (x < w.cumulative[i]) return w.keys[i];
  return w.keys[w.keys.length - 1];
}
