import fc from 'fast-check';
import { addKeys, KEY_RANGE, MAX_NOISE, negateKey, perturb, possibleCounts, publish, recordKey } from './cell-key';

describe('cell-key perturbation', () => {
  const secret = Buffer.alloc(32, 7);

  it('derives a record key from the secret and the id only', () => {
    expect(recordKey(secret, 'a')).toBe(recordKey(Buffer.alloc(32, 7), 'a'));
    expect(recordKey(secret, 'a')).not.toBe(recordKey(secret, 'b'));
    expect(recordKey(secret, 'a')).not.toBe(recordKey(Buffer.alloc(32, 8), 'a'));
    expect(recordKey(secret, 'a')).toBeGreaterThanOrEqual(0);
    expect(recordKey(secret, 'a')).toBeLessThan(KEY_RANGE);
  });

  it('key sums are additive mod 2^32, and a retraction takes a key back out', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: KEY_RANGE - 1 }), { minLength: 1, maxLength: 50 }), (keys) => {
        const sum = keys.reduce(addKeys, 0);
        expect(addKeys(addKeys(sum, 12345), negateKey(12345))).toBe(sum);
        expect(sum).toBe(Number(keys.reduce((a, b) => a + BigInt(b), 0n) % BigInt(KEY_RANGE)));
      }),
    );
  });

  it('never shows a count below k as itself, keeps counts of at least k at k or more, within MAX_NOISE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: KEY_RANGE - 1 }), fc.integer({ min: 2, max: 50 }), (n, key, k) => {
        const out = perturb(n, key, k);
        if (n === 0) expect(out).toBe(0);
        else if (n < k) expect([0, k]).toContain(out);
        else {
          expect(out).toBeGreaterThanOrEqual(k);
          expect(Math.abs(out - n)).toBeLessThanOrEqual(MAX_NOISE);
        }
        const range = possibleCounts(out, k);
        if (n > 0 || out > 0) {
          expect(n).toBeGreaterThanOrEqual(range.min);
          expect(n).toBeLessThanOrEqual(range.max);
        }
      }),
    );
  });

  it('is exact for k = 1 and deterministic in (count, key)', () => {
    expect(perturb(3, 99, 1)).toBe(3);
    expect(perturb(40, 123456789, 5)).toBe(perturb(40, 123456789, 5));
  });

  it('is unbiased for small counts and centred for large ones over many keys', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => recordKey(secret, `r${i}`));
    const mean = (n: number, k: number) => keys.reduce((s, key) => s + perturb(n, key, k), 0) / keys.length;
    expect(mean(2, 5)).toBeCloseTo(2, 1);
    expect(mean(100, 5)).toBeCloseTo(100, 1);
    const changed = keys.filter((key) => perturb(100, key, 5) !== 100).length / keys.length;
    expect(changed).toBeGreaterThan(0.5);
    expect(changed).toBeLessThan(0.7);
  });

  it('publishes each part on its own: exact parts as they are, protected parts perturbed', () => {
    const parts = [
      { provider: 'IR', count: 3, key: 1 },
      { provider: 'AF', count: 2, key: KEY_RANGE - 1 },
    ];
    const rule = (p: string) => (p === 'IR' ? { exact: true, k: 1 } : { exact: false, k: 5 });
    expect(publish(parts, rule)).toBe(3 + perturb(2, KEY_RANGE - 1, 5));
    expect(publish(parts, rule)).toBe(3);
  });
});
