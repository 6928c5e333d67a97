import { signingInput } from '@caravanserai/crypto';
import { createPublicKey, verify } from 'node:crypto';
import { FeedItem, FeedSigner, UnsignedFeedItem } from '../../answers/feed-item';

/** The bytes an item's signature covers: RFC 8785 canonical JSON of the item without `signature`,
 * exactly as a node's envelope is signed (libs/crypto signingInput). */
export const signedBytes = (item: UnsignedFeedItem | FeedItem): Buffer => signingInput(item);

export async function signFeedItem(unsigned: UnsignedFeedItem, signer: FeedSigner): Promise<FeedItem> {
  const value = await signer.sign(signedBytes(unsigned));
  return { ...unsigned, signature: { alg: 'Ed25519', keyId: signer.keyId, value } };
}

/** What a recipient does (docs/integrators.md): Ed25519 over the canonical JSON of the item
 * without its signature, with the public key of `signature.keyId` from GET /v1/signing-keys. */
export function verifyFeedItem(item: FeedItem, publicKeyPem: string): boolean {
  if (item.signature?.alg !== 'Ed25519' || typeof item.signature.value !== 'string') return false;
  return verify(null, signedBytes(item), createPublicKey(publicKeyPem), Buffer.from(item.signature.value, 'base64url'));
}

/** The public half as GET /v1/signing-keys serves it: PEM and JWK (RFC 8037, OKP/Ed25519). */
export function publishedKey(signer: Pick<FeedSigner, 'keyId' | 'publicKeyPem'>) {
  const jwk = createPublicKey(signer.publicKeyPem).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  return { keyId: signer.keyId, alg: 'Ed25519' as const, publicKeyPem: signer.publicKeyPem, jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x } };
}
