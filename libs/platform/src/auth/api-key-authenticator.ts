import { bearerToken, findLiveKeys, keyFingerprint, parseKey, type Principal, type Queryable, type StoredKey, verifySecret } from '@caravanserai/credentials';
import { GroupedCalls } from '../grouped-calls';

const CACHE_LIMIT = 10_000;

/** A live key by id (null if unknown, revoked or expired), with what was read alongside it, from a
 * read that started after the call. */
export type KeyLookup = (keyId: string) => Promise<{ stored: StoredKey | null; alongside: unknown }>;

/**
 * Turns an `Authorization: Bearer <key>` header into a principal, or null for a missing,
 * malformed, unknown, expired, revoked or wrong key (the caller is told none of these apart).
 *
 * Every call looks the key up by id, so a revocation or expiry written by another process (the
 * CLI) bites on the next request. Only the outcome of the scrypt check, slow on purpose, is
 * remembered: by the SHA-256 of the key, never the key itself. Lookups of concurrent requests are
 * grouped into one query (each from a query that started after its request arrived).
 *
 * A service may make the lookup itself instead (`lookup`: the aggregator's shares a statement with
 * other work of its requests and reads its registry change counter alongside, RequestRoundTrips),
 * under the same rule: each lookup from a statement that started after it was asked for.
 */
export class ApiKeyAuthenticator {
  /** SHA-256 of a presented key → whether its secret matched. */
  private readonly checked = new Map<string, boolean>();

  private readonly lookup: KeyLookup;

  constructor(db: Queryable, lookup?: KeyLookup) {
    if (lookup) this.lookup = lookup;
    else {
      const lookups = new GroupedCalls<string, StoredKey | null>(async (keyIds) => {
        const found = await findLiveKeys(db, [...new Set(keyIds)]);
        return keyIds.map((id) => found.get(id) ?? null);
      });
      this.lookup = async (keyId) => ({ stored: await lookups.run(keyId), alongside: undefined });
    }
  }

  async authenticate(authorization: string | string[] | undefined): Promise<Principal | null> {
    return (await this.check(authorization)).principal;
  }

  /** The principal (or null, as `authenticate`), and `alongside` as read with the key (undefined
   * when no key was looked up — none presented, or not one of ours — or the lookup reads nothing alongside). */
  async check(authorization: string | string[] | undefined): Promise<{ principal: Principal | null; alongside?: unknown }> {
    const token = bearerToken(authorization);
    const parsed = token ? parseKey(token) : null;
    if (!token || !parsed) return { principal: null };
    const { stored, alongside } = await this.lookup(parsed.keyId);
    if (!stored) return { principal: null, alongside };
    const fingerprint = keyFingerprint(token);
    let good = this.checked.get(fingerprint);
    if (good === undefined) {
      // A given key is right or wrong for good (a key id's secret never changes), so a wrong
      // one is remembered too: repeating it costs no scrypt.
      good = await verifySecret(parsed.secret, stored.hash);
      if (this.checked.size >= CACHE_LIMIT) this.checked.clear();
      this.checked.set(fingerprint, good);
    }
    return { principal: good ? { id: stored.principal, role: stored.role } : null, alongside };
  }
}
