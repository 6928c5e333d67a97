import { PROVIDER_STATES } from '@caravanserai/contracts';
import { createPublicKey, KeyObject } from 'node:crypto';
import { BatchRoot, proofHolds, rootIdentity, rootSignatureHolds, rootSignatureHoldsNow } from './batch-signature';
import { verifyEnvelopeSignature, verifyEnvelopeSignatureOffThread } from './envelope-signature';

export const KEY_STATUSES = ['active', 'retired', 'revoked'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** One entry of the operator's trust file (TRUSTED_NODE_KEYS_FILE), as written. */
export interface TrustedKeyEntry {
  keyId: string;
  state: string;
  /** SPKI PEM, or the 32 raw bytes in base64 / base64url. */
  publicKey: string;
  status: KeyStatus;
  /** Required when retired: events recorded from this instant on are no longer accepted. */
  retiredAt?: string;
  /** When it was revoked (for the record; a revoked key verifies nothing). */
  revokedAt?: string;
  note?: string;
}

export interface TrustedKey {
  keyId: string;
  state: string;
  key: KeyObject;
  status: KeyStatus;
  retiredAt: number | null;
}

/** Why an envelope is not trusted; the code heads the quarantine reason. */
export const VERDICT_CODES = ['SIGNATURE.MISSING', 'SIGNATURE.INVALID', 'KEY.UNKNOWN', 'KEY.REVOKED', 'KEY.RETIRED', 'KEY.STATE_MISMATCH'] as const;
export type VerdictCode = (typeof VERDICT_CODES)[number];
export type Verdict = { ok: true; keyId: string } | { ok: false; code: VerdictCode; reason: string };

/** What checks an envelope's signature (a registry, or a file of one that is reloaded on change). */
export interface EnvelopeVerifier {
  verify(envelope: object): Verdict;
  /** The verdicts on a batch, in its order, the Ed25519 work on libuv's thread pool. */
  verifyAll(envelopes: object[]): Promise<Verdict[]>;
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An Ed25519 public key from SPKI PEM or raw base64/base64url; null if it is neither. */
export function parsePublicKey(text: string): KeyObject | null {
  try {
    const key = text.includes('-----BEGIN')
      ? createPublicKey({ key: text, format: 'pem' })
      : /^[A-Za-z0-9+/_-]{43}=?$/.test(text.trim())
        ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(text.trim(), 'base64').toString('base64url') }, format: 'jwk' })
        : null;
    return key?.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** The trust file's content, checked entry by entry; throws one message listing every problem. */
export function parseTrustedKeys(json: unknown): TrustedKey[] {
  const entries = (json as { keys?: unknown })?.keys;
  if (typeof json !== 'object' || json === null || !Array.isArray(entries)) throw new Error('expected {"keys": [...]}');
  const problems: string[] = [];
  const keys: TrustedKey[] = [];
  const seen = new Set<string>();
  entries.forEach((raw: Partial<TrustedKeyEntry>, i) => {
    const at = `keys[${i}]`;
    const before = problems.length;
    if (typeof raw !== 'object' || raw === null) return void problems.push(`${at}: not an object`);
    if (typeof raw.keyId !== 'string' || !KEY_ID.test(raw.keyId)) problems.push(`${at}.keyId: 1-64 of A-Z a-z 0-9 . _ : -`);
    else if (seen.has(raw.keyId)) problems.push(`${at}.keyId: ${raw.keyId} appears twice`);
    if (!(PROVIDER_STATES as readonly unknown[]).includes(raw.state)) problems.push(`${at}.state: one of ${PROVIDER_STATES.join(', ')}`);
    if (!(KEY_STATUSES as readonly unknown[]).includes(raw.status)) problems.push(`${at}.status: one of ${KEY_STATUSES.join(', ')}`);
    const key = typeof raw.publicKey === 'string' ? parsePublicKey(raw.publicKey) : null;
    if (!key) problems.push(`${at}.publicKey: not an Ed25519 public key (SPKI PEM or 32 bytes in base64)`);
    const retiredAt = typeof raw.retiredAt === 'string' && ISO_INSTANT.test(raw.retiredAt) ? Date.parse(raw.retiredAt) : NaN;
    if (raw.status === 'retired' && Number.isNaN(retiredAt)) problems.push(`${at}.retiredAt: an ISO 8601 instant, required for a retired key`);
    if (raw.revokedAt !== undefined && !(typeof raw.revokedAt === 'string' && ISO_INSTANT.test(raw.revokedAt)))
      problems.push(`${at}.revokedAt: an ISO 8601 instant`);
    if (problems.length > before) return;
    seen.add(raw.keyId!);
    keys.push({ keyId: raw.keyId!, state: raw.state!, key: key!, status: raw.status!, retiredAt: raw.status === 'retired' ? retiredAt : null });
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return keys;
}

/**
 * The trusted node keys and the decision on one envelope. A key verifies envelopes of its own
 * state only. Active: any time. Retired: what was recorded (`recordedAt`) before `retiredAt`,
 * the events its node signed before the rotation and may still publish. Revoked: nothing.
 */
export class TrustedKeyRegistry implements EnvelopeVerifier {
  private readonly byId: Map<string, TrustedKey>;

  constructor(keys: TrustedKey[]) {
    this.byId = new Map(keys.map((k) => [k.keyId, k]));
  }

  get size(): number {
    return this.byId.size;
  }

  verify(envelope: object): Verdict {
    const checked = this.check(envelope);
    if ('verdict' in checked) return checked.verdict;
    if (checked.batch) {
      const { provider } = envelope as { provider: string };
      if (!proofHolds(envelope)) return this.conclude(checked.key, envelope, false, PROOF_BROKEN);
      return this.conclude(checked.key, envelope, rootSignatureHoldsNow(checked.key.keyId, provider, checked.batch, checked.key.key), ROOT_BROKEN);
    }
    return this.conclude(checked.key, envelope, verifyEnvelopeSignature(envelope, checked.signature, checked.key.key));
  }

  /** Version 2 (batch) signatures: each distinct signed root of the call is verified once, and
   * each event's inclusion proof on its own (SHA-256 only). A message that cannot even be
   * canonicalised (JSON nested deeper than the stack) is refused on its own, never the batch: the
   * ingest pipeline verifies bodies before their schema is checked. */
  verifyAll(envelopes: object[]): Promise<Verdict[]> {
    const roots = new Map<string, Promise<boolean>>();
    const tooDeep = (e: unknown) => {
      if (e instanceof RangeError) return fail('SIGNATURE.INVALID', `cannot be canonicalised: ${e.message}`);
      throw e;
    };
    return Promise.all(envelopes.map((envelope) => this.verifyOne(envelope, roots).catch(tooDeep)));
  }

  private async verifyOne(envelope: object, roots: Map<string, Promise<boolean>>): Promise<Verdict> {
    const checked = this.check(envelope);
    if ('verdict' in checked) return checked.verdict;
    if (checked.batch) {
      if (!proofHolds(envelope)) return this.conclude(checked.key, envelope, false, PROOF_BROKEN);
      const { provider } = envelope as { provider: string };
      const id = rootIdentity(checked.key.keyId, provider, checked.batch);
      let holds = roots.get(id);
      if (!holds) roots.set(id, (holds = rootSignatureHolds(checked.key.keyId, provider, checked.batch, checked.key.key)));
      return this.conclude(checked.key, envelope, await holds, ROOT_BROKEN);
    }
    return this.conclude(checked.key, envelope, await verifyEnvelopeSignatureOffThread(envelope, checked.signature, checked.key.key));
  }

  /** What can be decided before the signature is checked: the key and whether it may sign this. */
  private check(envelope: object): { verdict: Verdict } | { key: TrustedKey; signature: string; batch?: BatchRoot } {
    const { keyId, signature, provider, batch, proof } = envelope as Record<string, unknown>;
    // A version 2 envelope carries the signed root and its proof instead of a signature.
    const batched = batch !== undefined || proof !== undefined;
    const missing =
      typeof keyId !== 'string'
        ? 'keyId'
        : batched
          ? !isObject(batch)
            ? 'batch'
            : !isObject(proof)
              ? 'proof'
              : null
          : typeof signature !== 'string'
            ? 'signature'
            : null;
    if (missing) return { verdict: fail('SIGNATURE.MISSING', `event carries no ${missing}`) };
    const key = this.byId.get(keyId as string);
    if (!key) return { verdict: fail('KEY.UNKNOWN', `key ${JSON.stringify(keyId)} is not in the trusted keys`) };
    if (key.status === 'revoked') return { verdict: fail('KEY.REVOKED', `key ${keyId} of ${key.state} is revoked`) };
    if (key.state !== provider) {
      return { verdict: fail('KEY.STATE_MISMATCH', `key ${keyId} belongs to ${key.state}, the event's provider is ${JSON.stringify(provider)}`) };
    }
    return batched ? { key, signature: '', batch: batch as BatchRoot } : { key, signature: signature as string };
  }

  /** The verdict once the signature is checked: a retired key covers only what came before. */
  private conclude(key: TrustedKey, envelope: object, signatureMatches: boolean, what = 'signature does not match the event'): Verdict {
    if (!signatureMatches) return fail('SIGNATURE.INVALID', `${what} under key ${key.keyId}`);
    if (key.retiredAt !== null) {
      const { recordedAt } = envelope as Record<string, unknown>;
      const at = typeof recordedAt === 'string' ? Date.parse(recordedAt) : NaN;
      if (!(at < key.retiredAt)) {
        return fail('KEY.RETIRED', `key ${key.keyId} was retired at ${new Date(key.retiredAt).toISOString()}; the event was recorded at ${String(recordedAt)}`);
      }
    }
    return { ok: true, keyId: key.keyId };
  }
}

const PROOF_BROKEN = 'inclusion proof does not lead from the event to its batch root';
const ROOT_BROKEN = 'batch root signature does not match';
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

const fail = (code: VerdictCode, detail: string): Verdict => ({ ok: false, code, reason: `${code}: ${detail}` });
