import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** `cvs_<keyId>_<secret>`: the key id names the stored row; the secret is checked against its hash. */
export const KEY_PREFIX = 'cvs';
const KEY_PATTERN = /^cvs_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** About 50 ms and 16 MiB per check on a server core: slow for a guesser, and cached after the
 * first success (see ApiKeyAuthenticator), so a caller pays it once per process. */
export const SCRYPT_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1 };
const HASH_BYTES = 32;

export interface GeneratedKey {
  keyId: string;
  /** The whole key, shown once to the operator and never stored. */
  key: string;
  secret: string;
}

export function generateKey(): GeneratedKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, key: `${KEY_PREFIX}_${keyId}_${secret}` };
}

/** The key id and secret of a well-formed key; null for anything else. */
export function parseKey(presented: string): { keyId: string; secret: string } | null {
  const match = KEY_PATTERN.exec(presented);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

/** The key out of an `Authorization: Bearer <key>` header value; null when absent or not Bearer. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? match[1] : null;
}

export interface SecretHash {
  hash: Buffer;
  salt: Buffer;
  params: ScryptParams;
}

function scryptAsync(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, HASH_BYTES, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

export async function hashSecret(secret: string, params: ScryptParams = SCRYPT_PARAMS): Promise<SecretHash> {
  const salt = randomBytes(16);
  return { hash: await scryptAsync(secret, salt, params), salt, params };
}

/** Whether `secret` matches the stored hash; the comparison takes the same time whatever differs. */
export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const candidate = await scryptAsync(secret, stored.salt, stored.params);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

/** What the verification cache is keyed by: never the key itself. */
export const keyFingerprint = (presented: string): string => createHash('sha256').update(presented).digest('hex');
