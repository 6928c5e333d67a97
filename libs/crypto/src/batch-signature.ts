import { KeyObject, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { signOffThread, verifyOffThread } from './ed25519';
import { buildTree, leafHash, rootFromPath } from './merkle';

/**
 * Signature version 2 (docs/signing.md): one Ed25519 signature over the root of a Merkle tree
 * (RFC 6962) of the events a node appends together, as X-Road's message log does. Every event
 * still stands alone: it carries the signed root (`batch`) and its own inclusion proof (`proof`),
 * so the aggregator can verify any one of them without the others, and verifies each distinct
 * root of a batch once.
 */

/** The signed root, the same in every event of the batch. Hashes and signature in base64url. */
export interface BatchRoot {
  root: string;
  size: number;
  signature: string;
}

/** Where the event sits in the tree: its leaf index and audit path, bottom-up. */
export interface InclusionProof {
  index: number;
  path: string[];
}

export interface BatchSigned {
  keyId: string;
  batch: BatchRoot;
  proof: InclusionProof;
}

/** The leaf of an event: the RFC 8785 canonical JSON of the envelope without `batch`, `proof`
 * and `signature` (`keyId` included, as in version 1). */
export function batchLeaf(envelope: object): Buffer {
  return Buffer.from(batchLeafText(envelope), 'utf8');
}
/** The same leaf as text (hashed as its UTF-8 bytes, without a copy into a Buffer first). */
function batchLeafText(envelope: object): string {
  const { batch: _b, proof: _p, signature: _s, ...rest } = envelope as Record<string, unknown>;
  return canonicalJson(rest);
}

/** What the node signs: the root bound to the key, the provider and the tree size. Its own
 * `type` keeps it apart from any envelope's signing input (an envelope has an eventId). */
export function rootStatement(keyId: string, provider: string, root: string, size: number): Buffer {
  return Buffer.from(canonicalJson({ type: 'MerkleBatchRoot', keyId, provider, root, size }), 'utf8');
}

/** Signs a batch of envelopes of one provider: the envelopes with `keyId`, `batch` and `proof`,
 * in the batch's order. The Ed25519 operation runs once, on libuv's thread pool. Each envelope is
 * copied once (the copy then gets its proof), and each node of the tree is written in base64url
 * once, its text shared by every path through it: this runs on the node's ingest path, where
 * every copy and every string is garbage collected under a tight heap (docs/benchmark.md). */
export async function signBatch<E extends { provider: string }>(envelopes: E[], key: KeyObject, keyId: string): Promise<(E & BatchSigned)[]> {
  if (envelopes.length === 0) return [];
  const provider = envelopes[0].provider;
  if (envelopes.some((e) => e.provider !== provider)) throw new Error('a signed batch holds the events of one provider');
  const unsigned = envelopes.map((e) => withoutSignature(e, keyId));
  // The leaf is batchLeaf's text: the copy holds no batch, proof or signature.
  const { root, paths } = buildTree(unsigned.map((e) => leafHash(canonicalJson(e))));
  const rootText = root.toString('base64url');
  const statement = rootStatement(keyId, provider, rootText, envelopes.length);
  const signature = await signOffThread(statement, key);
  const batch: BatchRoot = { root: rootText, size: envelopes.length, signature: signature.toString('base64url') };
  const texts = new Map<Buffer, string>();
  const textOf = (h: Buffer) => {
    let text = texts.get(h);
    if (text === undefined) texts.set(h, (text = h.toString('base64url')));
    return text;
  };
  return unsigned.map((e, index) => {
    const signed = e as typeof e & BatchSigned;
    signed.batch = batch;
    signed.proof = { index, path: paths[index].map(textOf) };
    return signed;
  });
}

/** A copy of the envelope with `keyId` and without `signature`, `batch` and `proof`. */
function withoutSignature<E extends object>(e: E, keyId: string): E & { keyId: string } {
  if (!('signature' in e || 'batch' in e || 'proof' in e)) return { ...e, keyId };
  const { signature: _s, batch: _b, proof: _p, ...rest } = e as E & { signature?: unknown; batch?: unknown; proof?: unknown };
  return { ...rest, keyId } as unknown as E & { keyId: string };
}

const HASH_TEXT = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;

/** Whether the envelope's proof leads from its own leaf to the root it carries (no signature
 * check: that is the root's, once per distinct root). */
export function proofHolds(envelope: object): boolean {
  const { batch, proof } = envelope as { batch?: BatchRoot; proof?: InclusionProof };
  if (!batch || !proof || !Array.isArray(proof.path) || !HASH_TEXT.test(String(batch.root))) return false;
  if (!proof.path.every((h) => typeof h === 'string' && HASH_TEXT.test(h))) return false;
  // The path's base64url text is decoded straight into each node's hash input (merkle.ts).
  const root = rootFromPath(leafHash(batchLeafText(envelope)), proof.index, batch.size, proof.path);
  return root !== null && root.toString('base64url') === batch.root;
}

/** The identity of a signed root: two events share it when they claim the same signature. */
export const rootIdentity = (keyId: string, provider: string, batch: BatchRoot): string =>
  `${keyId}\u0000${provider}\u0000${batch.root}\u0000${batch.size}\u0000${batch.signature}`;

/** Whether the root's signature is the key's, off the event loop. */
export async function rootSignatureHolds(keyId: string, provider: string, batch: BatchRoot, key: KeyObject): Promise<boolean> {
  if (!SIGNATURE_TEXT.test(String(batch.signature)) || !HASH_TEXT.test(String(batch.root)) || !Number.isSafeInteger(batch.size)) return false;
  return verifyOffThread(rootStatement(keyId, provider, batch.root, batch.size), Buffer.from(batch.signature, 'base64url'), key);
}

/** The same on the caller's thread (the single-event `verify`). */
export function rootSignatureHoldsNow(keyId: string, provider: string, batch: BatchRoot, key: KeyObject): boolean {
  if (!SIGNATURE_TEXT.test(String(batch.signature)) || !HASH_TEXT.test(String(batch.root)) || !Number.isSafeInteger(batch.size)) return false;
  return verify(null, rootStatement(keyId, provider, batch.root, batch.size), key, Buffer.from(batch.signature, 'base64url'));
}
