import { generateKeyPairSync, sign } from 'node:crypto';
import { FeedSigner, UnsignedFeedItem } from '../../answers/feed-item';
import { publishedKey, signedBytes, signFeedItem, verifyFeedItem } from './feed-signature';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer: FeedSigner = {
  keyId: 'aggregator-test',
  publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  sign: async (bytes) => sign(null, bytes, privateKey).toString('base64url'),
};
const unsigned: UnsignedFeedItem = {
  id: 'release/1/flows/IR',
  kind: 'release.flows',
  recipient: 'org:UNHCR',
  occurredAt: '2026-03-01T00:00:00.000Z',
  data: { b: 1, a: [2.5, 'ж'] },
};

describe('feed item signatures', () => {
  it('signs the canonical JSON of the item without its signature, and verifies', async () => {
    const item = await signFeedItem(unsigned, signer);
    expect(item.signature).toMatchObject({ alg: 'Ed25519', keyId: 'aggregator-test' });
    expect(signedBytes(item).toString()).toBe(
      '{"data":{"a":[2.5,"ж"],"b":1},"id":"release/1/flows/IR","kind":"release.flows","occurredAt":"2026-03-01T00:00:00.000Z","recipient":"org:UNHCR"}',
    );
    expect(verifyFeedItem(item, signer.publicKeyPem)).toBe(true);
    // Member order does not matter; a changed value does.
    expect(
      verifyFeedItem(
        JSON.parse(
          JSON.stringify({
            signature: item.signature,
            recipient: unsigned.recipient,
            data: { a: [2.5, 'ж'], b: 1 },
            id: unsigned.id,
            kind: unsigned.kind,
            occurredAt: unsigned.occurredAt,
          }),
        ),
        signer.publicKeyPem,
      ),
    ).toBe(true);
    expect(verifyFeedItem({ ...item, data: { ...item.data, b: 2 } }, signer.publicKeyPem)).toBe(false);
    expect(verifyFeedItem({ ...item, recipient: 'org:IOM' }, signer.publicKeyPem)).toBe(false);
  });

  it('publishes the key as PEM and as an OKP JWK', () => {
    const key = publishedKey(signer);
    expect(key).toMatchObject({ keyId: 'aggregator-test', alg: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519' } });
    expect(Buffer.from(key.jwk.x, 'base64url')).toHaveLength(32);
  });
});
