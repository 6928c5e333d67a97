import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value: object members sorted by
 * their UTF-16 code units, no insignificant whitespace, numbers and strings as ECMAScript
 * serialises them. The `canonicalize` package (the reference implementation by one of the RFC's
 * authors) defines the result; the common case is built faster, with the same result.
 */
export function canonicalJson(value: unknown): string {
  let ordered: unknown;
  try {
    ordered = inCanonicalOrder(value);
  } catch (e) {
    if (e !== OUTSIDE_FAST_PATH) throw e;
    return referenceCanonicalJson(value);
  }
  const text = JSON.stringify(ordered);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

/** The reference: `canonicalize` itself, for what the fast path leaves to it. */
export function referenceCanonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

/**
 * Why not the reference everywhere: it builds the text by concatenating every member into a new
 * string (about 6 KiB of garbage for a 400-byte envelope, the largest allocation of the node's
 * ingest; docs/benchmark.md). Here each object is copied with its members in sorted order and one
 * native JSON.stringify writes the text, which then is RFC 8785's: JSON.stringify writes strings
 * and numbers exactly as the scheme (and the reference) do, and writes members in insertion order
 * — except integer-like keys, which JavaScript objects always list first, in numeric order. So
 * whatever JSON.stringify would write differently from the reference is left to the reference:
 * integer-like keys, `__proto__`, values that are not JSON (functions, bigints, non-finite
 * numbers, array holes) — rare enough that their cost does not matter, and the result is the
 * reference's by construction (canonical-json.spec.ts compares the two on arbitrary values).
 */
const OUTSIDE_FAST_PATH = Symbol('outside the fast path');
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;

function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'symbol':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw OUTSIDE_FAST_PATH;
      return value;
    case 'object':
      break;
    default:
      throw OUTSIDE_FAST_PATH;
  }
  if (value === null) return null;
  const o = value as Record<string, unknown> & { toJSON?: unknown };
  // The reference calls toJSON without the key JSON.stringify would pass: called here, as there
  // (a toJSON that gives no JSON value is written differently by the two: the reference's case).
  if (typeof o.toJSON === 'function') {
    const json: unknown = (o.toJSON as () => unknown)();
    if (json === undefined || typeof json === 'symbol') throw OUTSIDE_FAST_PATH;
    return inCanonicalOrder(json);
  }
  if (Array.isArray(o)) {
    const out: unknown[] = [];
    for (let i = 0; i < o.length; i++) {
      if (!(i in o)) throw OUTSIDE_FAST_PATH;
      const v = o[i];
      out.push(v === undefined || typeof v === 'symbol' ? null : inCanonicalOrder(v));
    }
    return out;
  }
  const keys = sortedKeys(Object.keys(o));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__' || INTEGER_LIKE.test(key)) throw OUTSIDE_FAST_PATH;
    const v = o[key];
    if (v === undefined || typeof v === 'symbol') continue;
    out[key] = inCanonicalOrder(v);
  }
  return out;
}

/** The key lists met so far, each with its sorted order: the envelopes signed on the ingest path
 * come in a few shapes, and sorting them anew each time was the largest allocation left. Bounded;
 * a list is used only if it is the very same keys in the same order. */
const ORDERS: { keys: string[]; sorted: string[] }[] = [];
const MAX_ORDERS = 64;

function sortedKeys(keys: string[]): string[] {
  for (const order of ORDERS) if (sameList(order.keys, keys)) return order.sorted;
  const sorted = [...keys].sort();
  if (ORDERS.length < MAX_ORDERS) ORDERS.push({ keys, sorted });
  return sorted;
}

function sameList(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
