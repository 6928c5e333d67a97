import { createPrivateKey, KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BatchSigned, signBatch } from './batch-signature';
import { canonicalJson } from './canonical-json';
import { signOffThread, verifyOffThread } from './ed25519';

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

/** The envelope with `keyId` set and no `signature`: what is signed. */
function withKeyId<E extends object>(envelope: E, keyId: string): E & { keyId: string } {
  const withKey = { ...envelope, keyId } as E & { keyId: string; signature?: string };
  delete withKey.signature;
  return withKey;
}

/** Ed25519 over the signing input; base64url without padding. */
export function signEnvelope<E extends object>(envelope: E, key: KeyObject, keyId: string): E & Signed {
  const unsigned = withKeyId(envelope, keyId);
  const signature = sign(null, signingInput(unsigned), key).toString('base64url');
  return { ...unsigned, signature };
}

/**
 * The same as `signEnvelope`, with the Ed25519 operation run on libuv's thread pool (Node's
 * callback form of crypto.sign) rather than on the event loop: a batch of envelopes is signed on
 * every core while the caller's thread goes on (see docs/benchmark.md, "Where it stands", "Ed25519 off the event
 * loop"). The canonical JSON is still built here.
 */
export async function signEnvelopeOffThread<E extends object>(envelope: E, key: KeyObject, keyId: string): Promise<E & Signed> {
  // One copy per envelope (it runs for every event the node ingests): the copy has no signature, so
  // its canonical JSON is the signing input, and it then takes the signature itself.
  const unsigned = withKeyId(envelope, keyId) as E & Signed;
  const signature = await signOffThread(Buffer.from(canonicalJson(unsigned), 'utf8'), key);
  unsigned.signature = signature.toString('base64url');
  return unsigned;
}

const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;

/** Whether `signature` (base64url) is the Ed25519 signature of the envelope by `key`. */
export function verifyEnvelopeSignature(envelope: object, signature: string, key: KeyObject): boolean {
  if (!SIGNATURE_TEXT.test(signature)) return false;
  return verify(null, signingInput(envelope), key, Buffer.from(signature, 'base64url'));
}

/** The same as `verifyEnvelopeSignature`, the Ed25519 operation on libuv's thread pool. */
export async function verifyEnvelopeSignatureOffThread(envelope: object, signature: string, key: KeyObject): Promise<boolean> {
  if (!SIGNATURE_TEXT.test(signature)) return false;
  return verifyOffThread(signingInput(envelope), Buffer.from(signature, 'base64url'), key);
}

/** Reads a PKCS#8 PEM Ed25519 private key; the error says what is wrong with the file. */
export function readPrivateKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
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

  /** Signs a batch, the Ed25519 work on libuv's thread pool; the result in the batch's order. */
  signAll<E extends object>(envelopes: E[]): Promise<(E & Signed)[]> {
    return Promise.all(envelopes.map((e) => signEnvelopeOffThread(e, this.key, this.keyId)));
  }

  /** Signature version 2: one signature over the Merkle root of the batch, each envelope with its
   * inclusion proof (batch-signature.ts). The envelopes must be of one provider. */
  signBatch<E extends { provider: string }>(envelopes: E[]): Promise<(E & BatchSigned)[]> {
    return signBatch(envelopes, this.key, this.keyId);
  }
}
