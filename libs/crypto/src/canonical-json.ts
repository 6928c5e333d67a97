import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value: object members sorted by
 * their UTF-16 code units, no insignificant whitespace, numbers and strings as ECMAScript
 * serialises them. Done by the `canonicalize` package, the reference implementation by one of the
 * RFC's authors, rather than by hand.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}
