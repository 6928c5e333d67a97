import { bearerToken, generateKey, hashSecret, keyFingerprint, parseKey, verifySecret } from './api-key';

const FAST = { N: 1024, r: 8, p: 1 };

describe('API key format', () => {
  it('generates cvs_<16 hex>_<43 base64url> keys that parse back to their id and secret', () => {
    for (let i = 0; i < 200; i++) {
      const { key, keyId, secret } = generateKey();
      expect(key).toMatch(/^cvs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(parseKey(key)).toEqual({ keyId, secret });
    }
  });

  it('never generates the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateKey().key));
    expect(keys.size).toBe(1000);
  });

  it.each([
    ['empty', ''],
    ['another prefix', 'xyz_0123456789abcdef_' + 'a'.repeat(43)],
    ['upper-case id', 'cvs_0123456789ABCDEF_' + 'a'.repeat(43)],
    ['short id', 'cvs_0123456789abcde_' + 'a'.repeat(43)],
    ['short secret', 'cvs_0123456789abcdef_' + 'a'.repeat(42)],
    ['long secret', 'cvs_0123456789abcdef_' + 'a'.repeat(44)],
    ['secret with +', 'cvs_0123456789abcdef_' + 'a'.repeat(42) + '+'],
    ['trailing space', 'cvs_0123456789abcdef_' + 'a'.repeat(43) + ' '],
    ['an old principal header value', 'secretariat'],
  ])('refuses a malformed key (%s)', (_why, text) => {
    expect(parseKey(text)).toBeNull();
  });

  it('reads the key out of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeNull();
  });

  it('fingerprints keys with SHA-256 (hex), distinct per key', () => {
    const a = generateKey().key;
    expect(keyFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyFingerprint(a)).not.toBe(keyFingerprint(generateKey().key));
    expect(keyFingerprint(a)).not.toContain(parseKey(a)!.secret);
  });
});

describe('secret hashing (scrypt)', () => {
  it('verifies the right secret and refuses any other', async () => {
    const { secret } = generateKey();
    const stored = await hashSecret(secret, FAST);
    expect(stored.hash).toHaveLength(32);
    expect(stored.salt).toHaveLength(16);
    expect(stored.hash.toString('latin1')).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(generateKey().secret, stored)).toBe(false);
    expect(await verifySecret(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'), stored)).toBe(false);
  });

  it('salts each hash: the same secret hashes differently twice', async () => {
    const { secret } = generateKey();
    const [a, b] = await Promise.all([hashSecret(secret, FAST), hashSecret(secret, FAST)]);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
  });

  it('checks with the parameters stored beside the hash', async () => {
    const { secret } = generateKey();
    const stored = await hashSecret(secret, FAST);
    expect(await verifySecret(secret, { ...stored, params: { N: 2048, r: 8, p: 1 } })).toBe(false);
  });
});
