import { bearerToken, findLiveKeys, keyFingerprint, parseKey, type Principal, type Queryable, type StoredKey, verifySecret } from '@caravanserai/credentials';
import { GroupedCalls } from '../grouped-calls';

const CACHE_LIMIT = 10_000;

/**
 * Turns an `Authorization: Bearer <key>` header into a principal, or null for a missing,
 * malformed, unknown, expired, revoked or wrong key (the caller is told none of these apart).
 *
 * Every call looks the key up by id, so a revocation or expiry written by another process (the
 * CLI) bites on the next request. Only the outcome of the scrypt check, slow on purpose, is
 * remembered: by the SHA-256 of the key, never the key itself. Lookups of concurrent requests are
 * grouped into one query (each from a query that started after its request arrived).
 */
export class ApiKeyAuthenticator {
  /** SHA-256 of a presented key → whether its secret matched. */
  private readonly checked = new Map<string, boolean>();

  private readonly lookups: GroupedCalls<string, StoredKey | null>;

  constructor(db: Queryable) {
    this.lookups = new GroupedCalls(async (keyIds) => {
      const found = await findLiveKeys(db, [...new Set(keyIds)]);
      return keyIds.map((id) => found.get(id) ?? null);
    });
  }

  async authenticate(authorization: string | string[] | undefined): Promise<Principal | null> {
    const token = bearerToken(authorization);
    const parsed = token ? parseKey(token) : null;
    if (!token || !parsed) return null;
    const stored = await this.lookups.run(parsed.keyId);
    if (!stored) return null;
    const fingerprint = keyFingerprint(token);
    let good = this.checked.get(fingerprint);
    if (good === undefined) {
      // A given key is right or wrong for good (a key id's secret never changes), so a wrong
      // one is remembered too: repeating it costs no scrypt.
      good = await verifySecret(parsed.secret, stored.hash);
      if (this.checked.size >= CACHE_LIMIT) this.checked.clear();
      this.checked.set(fingerprint, good);
    }
    return good ? { id: stored.principal, role: stored.role } : null;
  }
}
