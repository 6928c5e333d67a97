import { bearerToken, findLiveKey, keyFingerprint, parseKey, type Principal, type Queryable, verifySecret } from '@caravanserai/credentials';

const CACHE_LIMIT = 10_000;

/**
 * Turns an `Authorization: Bearer <key>` header into a principal, or null for a missing,
 * malformed, unknown, expired, revoked or wrong key (the caller is told none of these apart).
 *
 * Every call looks the key up by id, so a revocation or expiry written by another process (the
 * CLI) bites on the next request. Only the scrypt check, slow on purpose, is remembered: by the
 * SHA-256 of the key, never the key itself.
 */
export class ApiKeyAuthenticator {
  private readonly verified = new Map<string, string>();

  constructor(private readonly db: Queryable) {}

  async authenticate(authorization: string | string[] | undefined): Promise<Principal | null> {
    const token = bearerToken(authorization);
    const parsed = token ? parseKey(token) : null;
    if (!token || !parsed) return null;
    const stored = await findLiveKey(this.db, parsed.keyId);
    if (!stored) return null;
    const fingerprint = keyFingerprint(token);
    if (this.verified.get(fingerprint) !== stored.keyId) {
      if (!(await verifySecret(parsed.secret, stored.hash))) return null;
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
      this.verified.set(fingerprint, stored.keyId);
    }
    return { id: stored.principal, role: stored.role };
  }
}
