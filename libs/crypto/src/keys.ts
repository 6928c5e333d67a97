import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';

/** A fresh Ed25519 key pair in the forms the files use: PKCS#8 PEM (node) and SPKI PEM (trust file). */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The public half of a private key, as SPKI PEM. */
export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}
