import type { QueryResultRow } from 'pg';
import type { SecretHash } from './api-key';
import type { Role } from './roles';

/** A pg Pool or Client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: QueryResultRow[]; rowCount: number | null }>;
}

/** What may be shown about a key: never its secret or hash. */
export interface KeyInfo {
  keyId: string;
  principal: string;
  role: Role;
  label: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface StoredKey extends KeyInfo {
  hash: SecretHash;
}

const INFO_COLUMNS = 'key_id, principal, role, label, created_at, expires_at, revoked_at';

const toInfo = (r: QueryResultRow): KeyInfo => ({
  keyId: r.key_id,
  principal: r.principal,
  role: r.role,
  label: r.label,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/** A key as stored, from a row of liveKeysSql. */
export const toStoredKey = (r: QueryResultRow): StoredKey => ({
  ...toInfo(r),
  hash: { hash: r.secret_hash, salt: r.salt, params: { N: r.scrypt_n, r: r.scrypt_r, p: r.scrypt_p } },
});

export async function insertKey(
  db: Queryable,
  keyId: string,
  principal: string,
  role: string,
  hash: SecretHash,
  expiresAt: Date | null,
  label: string | null,
): Promise<KeyInfo> {
  const { rows } = await db.query(
    `INSERT INTO api_keys (key_id, principal, role, secret_hash, salt, scrypt_n, scrypt_r, scrypt_p, expires_at, label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${INFO_COLUMNS}`,
    [keyId, principal, role, hash.hash, hash.salt, hash.params.N, hash.params.r, hash.params.p, expiresAt, label],
  );
  return toInfo(rows[0]);
}

export async function listKeys(db: Queryable): Promise<KeyInfo[]> {
  const { rows } = await db.query(`SELECT ${INFO_COLUMNS} FROM api_keys ORDER BY created_at, key_id`);
  return rows.map(toInfo);
}

/** Revokes a key for good; says whether it was live, already revoked, or unknown. */
export async function revokeKey(db: Queryable, keyId: string): Promise<'revoked' | 'already-revoked' | 'unknown'> {
  const { rowCount } = await db.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL', [keyId]);
  if (rowCount) return 'revoked';
  const { rows } = await db.query('SELECT 1 FROM api_keys WHERE key_id = $1', [keyId]);
  return rows.length ? 'already-revoked' : 'unknown';
}

/** The SELECT of the live keys (neither revoked nor expired, by the database's clock) whose ids are
 * in the text array `keyIdsParam` (a bind parameter, e.g. `$1`): rows for toStoredKey. */
export const liveKeysSql = (keyIdsParam: string) =>
  `SELECT ${INFO_COLUMNS}, secret_hash, salt, scrypt_n, scrypt_r, scrypt_p FROM api_keys
    WHERE key_id = ANY(${keyIdsParam}::text[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

/** Those of these keys that are neither revoked nor expired (by the database's clock), by id, in one query. */
export async function findLiveKeys(db: Queryable, keyIds: string[]): Promise<Map<string, StoredKey>> {
  const found = new Map<string, StoredKey>();
  if (keyIds.length === 0) return found;
  const { rows } = await db.query(liveKeysSql('$1'), [keyIds]);
  for (const r of rows) found.set(r.key_id, toStoredKey(r));
  return found;
}
