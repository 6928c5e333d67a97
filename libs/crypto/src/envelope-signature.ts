import { createPrivateKey, KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from './canonical-json';

/** What a signed envelope carries beside its fields. */
export interface Signed {
  keyId: string;
  signature: string;
}

/**
 * The bytes that are signed: the RFC 8785 canonical JSON of the envelope without its `signature`
 * member (`keyId` included, so the signer's choice of key cannot be swapped).
 */
export function signingInput(envelope: object): Buffer {
  const { signature: _signature, ...rest } = envelope as { signature?: unknown };
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Ed25519 over the signing input; base64url without padding. */
export function signEnvelope<E extends object>(envelope: E, key: KeyObject, keyId: string): E & Signed {
  const withKey = { ...envelope, keyId } as E & { keyId: string; signature?: string };
  delete withKey.signature;
  const signature = sign(null, signingInput(withKey), key).toString('base64url');
  return { ...withKey, signature };
}

/** Whether `signature` (base64url) is the Ed25519 signature of the envelope by `key`. */
export function verifyEnvelopeSignature(envelope: object, signature: string, key: KeyObject): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  return verify(null, signingInput(envelope), key, Buffer.from(signature, 'base64url'));
}

/** Reads a PKCS#8 PEM Ed25519 private key; the error says what is wrong with the file. */
export function readPrivateKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${path} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} holds a ${key.asymmetricKeyType} key, not an Ed25519 key`);
  return key;
}

/** A node's signing key and its id, as configured (NODE_SIGNING_KEY_FILE, NODE_SIGNING_KEY_ID). */
export class EnvelopeSigner {
  constructor(
    private readonly key: KeyObject,
    readonly keyId: string,
  ) {}

  static fromFile(path: string, keyId: string): EnvelopeSigner {
    return new EnvelopeSigner(readPrivateKey(path), keyId);
  }

  sign<E extends object>(envelope: E): E & Signed {
    return signEnvelope(envelope, this.key, this.keyId);
  }
}
