import { generateSigningKeyPair, publicKeyPemOf, readPrivateKey, signOffThread } from '@caravanserai/crypto';
import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { FeedSigner } from '../../answers/feed-item';

/** `aggregator-` and the first 16 hex digits of SHA-256 over the public key (SPKI DER): the same
 * key always has the same id, on every aggregator that holds it. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `aggregator-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/**
 * The aggregator's own Ed25519 key. AGGREGATOR_SIGNING_KEY_FILE (PKCS#8 PEM) gives every
 * aggregator of a region the same key; without it, the key this database holds, made at first
 * start. Either way the database keeps the one in use, and GET /v1/signing-keys serves its public half.
 */
export class AggregatorSigner extends FeedSigner {
  private constructor(
    private readonly key: KeyObject,
    readonly keyId: string,
    readonly publicKeyPem: string,
  ) {
    super();
  }

  static async open(pool: Pool, file?: string): Promise<AggregatorSigner> {
    if (file) {
      const key = readPrivateKey(file);
      const publicKeyPem = publicKeyPemOf(key);
      const keyId = keyIdOf(publicKeyPem);
      await pool.query(
        `INSERT INTO aggregator_signing_key (key_id, private_key_pem, public_key_pem) VALUES ($1, $2, $3)
         ON CONFLICT (only_row) DO UPDATE SET key_id = $1, private_key_pem = $2, public_key_pem = $3, set_at = now()
         WHERE aggregator_signing_key.key_id <> $1`,
        [keyId, key.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem],
      );
      return new AggregatorSigner(key, keyId, publicKeyPem);
    }
    const made = generateSigningKeyPair();
    // Two aggregators starting at once on an empty database keep the same (first) key.
    await pool.query(`INSERT INTO aggregator_signing_key (key_id, private_key_pem, public_key_pem) VALUES ($1, $2, $3) ON CONFLICT (only_row) DO NOTHING`, [
      keyIdOf(made.publicKeyPem),
      made.privateKeyPem,
      made.publicKeyPem,
    ]);
    const { rows } = await pool.query(`SELECT key_id, private_key_pem, public_key_pem FROM aggregator_signing_key`);
    return new AggregatorSigner(createPrivateKey(rows[0].private_key_pem), rows[0].key_id, rows[0].public_key_pem);
  }

  async sign(bytes: Buffer): Promise<string> {
    return (await signOffThread(bytes, this.key)).toString('base64url');
  }
}
