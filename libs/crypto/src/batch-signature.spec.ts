import { generateKeyPairSync } from 'node:crypto';
import { batchLeaf, BatchSigned } from './batch-signature';
import { EnvelopeSigner } from './envelope-signature';
import { parseTrustedKeys, TrustedKeyRegistry, Verdict } from './trusted-keys';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const af = pair();
const kz = pair();
const afSigner = new EnvelopeSigner(af.privateKey, 'af-1');
const registry = (afStatus: 'active' | 'revoked' | 'retired' = 'active') =>
  new TrustedKeyRegistry(
    parseTrustedKeys({
      keys: [
        { keyId: 'af-1', state: 'AF', publicKey: af.pem, status: afStatus, ...(afStatus === 'retired' ? { retiredAt: '2026-11-02T12:00:00Z' } : {}) },
        { keyId: 'kz-1', state: 'KZ', publicKey: kz.pem, status: 'active' },
      ],
    }),
  );

let n = 0;
const envelope = (provider = 'AF', recordedAt = '2026-11-02T10:00:00.000Z') => {
  const id = `0193a1b2-0000-7000-8000-${String(++n).padStart(12, '0')}`;
  return {
    eventId: id,
    type: 'MovementRecorded',
    schemaVersion: 2,
    provider,
    streamId: `movement-${id}`,
    streamVersion: 1,
    occurredOn: '2026-11-02',
    recordedAt,
    data: { direction: 'entry' },
  };
};
const codes = (verdicts: Verdict[]) => verdicts.map((v) => (v.ok ? 'ok' : v.code));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('batch signatures (signature version 2)', () => {
  it('every event of a batch verifies alone, with one root signature shared by all', async () => {
    const batch = await afSigner.signBatch(Array.from({ length: 7 }, () => envelope()));
    expect(new Set(batch.map((e) => e.batch.signature)).size).toBe(1);
    expect(batch.map((e) => e.proof.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batch[6].proof.path).toHaveLength(2);
    // The leaf is the event without its proof, keyId included.
    expect(batchLeaf(batch[0]).toString()).toContain('"keyId":"af-1"');
    expect(batchLeaf(batch[0]).toString()).not.toMatch(/batch|proof|root/);
    expect(codes(await registry().verifyAll(batch))).toEqual(Array(7).fill('ok'));
    expect(codes(batch.map((e) => registry().verify(clone(e))))).toEqual(Array(7).fill('ok'));
    // A batch of one: an empty path, the root is the leaf.
    const [alone] = await afSigner.signBatch([envelope()]);
    expect(alone.proof.path).toEqual([]);
    expect(registry().verify(alone)).toEqual({ ok: true, keyId: 'af-1' });
  });

  it('refuses a batch of two providers', async () => {
    await expect(afSigner.signBatch([envelope('AF'), envelope('KZ')])).rejects.toThrow(/one provider/);
  });

  const attack = async (change: (events: (ReturnType<typeof envelope> & BatchSigned)[]) => object) => {
    const events = clone(await afSigner.signBatch(Array.from({ length: 5 }, () => envelope())));
    const attacked = change(events);
    const [verdict] = await registry().verifyAll([attacked]);
    expect(registry().verify(attacked)).toEqual(verdict);
    return verdict.ok ? 'ok' : verdict.reason;
  };

  /** An event as published with a batch signature: what each attack below changes. */
  type Published = { proof: { index: number; path: string[] }; batch: { root: string; size: number } } & Record<string, unknown>;

  it.each([
    ['a tampered field', (e: Published[]) => ({ ...e[2], data: { direction: 'exit' } }), /^SIGNATURE.INVALID: inclusion proof/],
    [
      'a tampered proof (a hash of the path)',
      (e: Published[]) => ({
        ...e[2],
        proof: { index: 2, path: [e[2].proof.path[0].replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')), ...e[2].proof.path.slice(1)] },
      }),
      /^SIGNATURE.INVALID: inclusion proof/,
    ],
    ['a tampered proof (another index)', (e: Published[]) => ({ ...e[2], proof: { ...e[2].proof, index: 3 } }), /^SIGNATURE.INVALID: inclusion proof/],
    [
      'a tampered root (with a proof made for it)',
      (e: Published[]) => ({ ...e[0], batch: { ...e[0].batch, root: e[1].batch.root.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')) } }),
      /^SIGNATURE.INVALID/,
    ],
    ['a tampered tree size', (e: Published[]) => ({ ...e[0], batch: { ...e[0].batch, size: 6 } }), /^SIGNATURE.INVALID: batch root signature/],
    ['a relabelled key', (e: Published[]) => ({ ...e[0], keyId: 'kz-1', provider: 'KZ' }), /^SIGNATURE.INVALID/],
    ['no proof', (e: Published[]) => ({ ...e[0], proof: undefined }), /^SIGNATURE.MISSING: event carries no proof/],
    ['a proof but no root', (e: Published[]) => ({ ...e[0], batch: undefined }), /^SIGNATURE.MISSING: event carries no batch/],
  ])('%s', async (_what, change, reason) => {
    expect(await attack(change as never)).toMatch(reason);
  });

  it('a proof from another batch, or an event moved into another batch, does not verify', async () => {
    const one = await afSigner.signBatch(Array.from({ length: 4 }, () => envelope()));
    const two = await afSigner.signBatch(Array.from({ length: 4 }, () => envelope()));
    const borrowedProof = { ...one[1], proof: two[1].proof };
    const moved = { ...one[1], batch: two[1].batch, proof: two[1].proof };
    const movedWithOwnProof = { ...one[1], batch: two[1].batch };
    expect(codes(await registry().verifyAll([borrowedProof, moved, movedWithOwnProof]))).toEqual([
      'SIGNATURE.INVALID',
      'SIGNATURE.INVALID',
      'SIGNATURE.INVALID',
    ]);
  });

  it('keeps the key rules of version 1: another state, revoked, retired, unknown', async () => {
    const kzEvents = await new EnvelopeSigner(af.privateKey, 'af-1').signBatch([envelope('KZ')]);
    expect(codes(await registry().verifyAll(kzEvents))).toEqual(['KEY.STATE_MISMATCH']);
    const afEvents = await afSigner.signBatch([envelope('AF', '2026-11-02T10:00:00.000Z'), envelope('AF', '2026-11-02T13:00:00.000Z')]);
    expect(codes(await registry('revoked').verifyAll(afEvents))).toEqual(['KEY.REVOKED', 'KEY.REVOKED']);
    expect(codes(await registry('retired').verifyAll(afEvents))).toEqual(['ok', 'KEY.RETIRED']);
    const stranger = await new EnvelopeSigner(pair().privateKey, 'xx-9').signBatch([envelope()]);
    expect(codes(await registry().verifyAll(stranger))).toEqual(['KEY.UNKNOWN']);
  });
});

describe('the aggregator verifies each distinct root once per call', () => {
  it('one Ed25519 verification for a batch of 40 events of one append, two for two appends', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, so jest.spyOn can wrap verify
    const crypto = require('node:crypto');
    const spy = jest.spyOn(crypto, 'verify');
    try {
      const one = await afSigner.signBatch(Array.from({ length: 40 }, () => envelope()));
      const two = await afSigner.signBatch(Array.from({ length: 3 }, () => envelope()));
      spy.mockClear();
      expect(codes(await registry().verifyAll(one))).toEqual(Array(40).fill('ok'));
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      expect(codes(await registry().verifyAll([...one.slice(0, 5), ...two, one[39]]))).toEqual(Array(9).fill('ok'));
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
