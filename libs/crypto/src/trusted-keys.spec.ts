import { generateKeyPairSync } from 'node:crypto';
import { EnvelopeSigner, signEnvelope, signingInput } from './envelope-signature';
import { parsePublicKey, parseTrustedKeys, TrustedKeyEntry, TrustedKeyRegistry } from './trusted-keys';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signer: (keyId: string) => new EnvelopeSigner(privateKey, keyId),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    raw: publicKey.export({ format: 'jwk' }).x!,
  };
};

const envelope = (over: Record<string, unknown> = {}) => ({
  eventId: '0193a1b2-0000-7000-8000-000000000001',
  type: 'MovementRecorded',
  schemaVersion: 1,
  provider: 'AF',
  streamId: 'movement-0193a1b2-0000-7000-8000-000000000001',
  streamVersion: 1,
  occurredOn: '2026-11-02',
  recordedAt: '2026-11-02T10:00:00.000Z',
  data: { direction: 'entry', specificNeeds: [] as string[], citizenship: 'AF' },
  ...over,
});

describe('envelope signatures', () => {
  const af = pair();

  it('signs the canonical JSON without the signature, keyId included', () => {
    const signed = af.signer('af-1').sign(envelope());
    expect(signed.keyId).toBe('af-1');
    expect(signed.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(signingInput(signed).toString()).toContain('"keyId":"af-1"');
    expect(signingInput(signed).toString()).not.toContain('signature');
    // Deterministic (Ed25519), and blind to member order: a consumer that re-serialises differently still verifies.
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect(af.signer('af-1').sign(reordered).signature).toBe(signed.signature);
  });

  it('re-signing replaces an old signature and key id', () => {
    const once = af.signer('af-1').sign(envelope());
    const twice = af.signer('af-2').sign(once);
    expect(twice.keyId).toBe('af-2');
    expect(twice.signature).not.toBe(once.signature);
  });

  it('reads public keys as PEM or raw base64 / base64url, and nothing else', () => {
    expect(parsePublicKey(af.pem)?.asymmetricKeyType).toBe('ed25519');
    expect(parsePublicKey(af.raw)?.asymmetricKeyType).toBe('ed25519');
    expect(parsePublicKey(Buffer.from(af.raw, 'base64url').toString('base64'))?.asymmetricKeyType).toBe('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(parsePublicKey(rsa)).toBeNull();
    expect(parsePublicKey('not a key')).toBeNull();
    expect(parsePublicKey('AAAA')).toBeNull();
  });
});

describe('TrustedKeyRegistry', () => {
  const af = pair();
  const afOld = pair();
  const afStolen = pair();
  const kz = pair();
  const stranger = pair();
  const registry = new TrustedKeyRegistry(
    parseTrustedKeys({
      keys: [
        { keyId: 'af-new', state: 'AF', publicKey: af.pem, status: 'active' },
        { keyId: 'af-old', state: 'AF', publicKey: afOld.raw, status: 'retired', retiredAt: '2026-11-01T00:00:00Z' },
        { keyId: 'af-stolen', state: 'AF', publicKey: afStolen.pem, status: 'revoked', revokedAt: '2026-10-01T00:00:00Z' },
        { keyId: 'kz-1', state: 'KZ', publicKey: kz.pem, status: 'active' },
      ] satisfies TrustedKeyEntry[],
    }),
  );
  const code = (e: object) => {
    const v = registry.verify(e);
    return v.ok ? `ok ${v.keyId}` : v.code;
  };

  it('accepts an event signed by an active key of its provider', () => {
    expect(code(af.signer('af-new').sign(envelope()))).toBe('ok af-new');
    expect(code(kz.signer('kz-1').sign(envelope({ provider: 'KZ' })))).toBe('ok kz-1');
  });

  it('refuses an unsigned event, and one that lost its signature or its key id', () => {
    const signed = af.signer('af-new').sign(envelope());
    expect(code(envelope())).toBe('SIGNATURE.MISSING');
    expect(code({ ...signed, signature: undefined })).toBe('SIGNATURE.MISSING');
    expect(code({ ...signed, keyId: undefined })).toBe('SIGNATURE.MISSING');
    expect(registry.verify(envelope())).toMatchObject({ reason: expect.stringMatching(/^SIGNATURE\.MISSING: /) });
  });

  it('refuses an event changed after signing, in any field, keyId included', () => {
    const signed = af.signer('af-new').sign(envelope());
    expect(code({ ...signed, occurredOn: '2026-11-03' })).toBe('SIGNATURE.INVALID');
    expect(code({ ...signed, data: { ...signed.data, citizenship: 'IR' } })).toBe('SIGNATURE.INVALID');
    expect(code({ ...signed, data: { ...signed.data, extra: 1 } })).toBe('SIGNATURE.INVALID');
    expect(code({ ...signed, signature: signed.signature.slice(0, -2) + (signed.signature.endsWith('AA') ? 'BA' : 'AA') })).toBe('SIGNATURE.INVALID');
    expect(code({ ...signed, signature: 'garbage' })).toBe('SIGNATURE.INVALID');
    // Signed by the old AF key but relabelled as the new one.
    expect(code({ ...afOld.signer('af-old').sign(envelope()), keyId: 'af-new' })).toBe('SIGNATURE.INVALID');
  });

  it('refuses an unknown key, and a key of another state whatever the signature', () => {
    expect(code(stranger.signer('af-9').sign(envelope()))).toBe('KEY.UNKNOWN');
    // An agreement for KZ signed by AF's key, with a valid AF signature.
    expect(code(af.signer('af-new').sign(envelope({ provider: 'KZ', type: 'AgreementGranted' })))).toBe('KEY.STATE_MISMATCH');
    // An agreement for KZ claiming KZ's key id but signed by AF.
    expect(code(af.signer('kz-1').sign(envelope({ provider: 'KZ', type: 'AgreementGranted' })))).toBe('SIGNATURE.INVALID');
  });

  it('refuses everything a revoked key signed, whenever it was recorded', () => {
    expect(code(afStolen.signer('af-stolen').sign(envelope({ recordedAt: '2020-01-01T00:00:00Z' })))).toBe('KEY.REVOKED');
  });

  it('accepts what a retired key signed before its retirement, and only that', () => {
    expect(code(afOld.signer('af-old').sign(envelope({ recordedAt: '2026-10-31T23:59:59.999Z' })))).toBe('ok af-old');
    expect(code(afOld.signer('af-old').sign(envelope({ recordedAt: '2026-11-01T00:00:00.000Z' })))).toBe('KEY.RETIRED');
    expect(code(afOld.signer('af-old').sign(envelope({ recordedAt: '2026-12-01T00:00:00Z' })))).toBe('KEY.RETIRED');
    expect(code(afOld.signer('af-old').sign(envelope({ recordedAt: 'yesterday' })))).toBe('KEY.RETIRED');
  });

  it('verifyAll, off the event loop, gives the same verdicts as verify, in the batch order', async () => {
    const good = af.signer('af-new').sign(envelope());
    const batch: object[] = [
      good,
      envelope(),
      { ...good, occurredOn: '2026-11-03' },
      { ...good, signature: 'garbage' },
      stranger.signer('af-9').sign(envelope()),
      afStolen.signer('af-stolen').sign(envelope()),
      af.signer('af-new').sign(envelope({ provider: 'KZ' })),
      afOld.signer('af-old').sign(envelope({ recordedAt: '2026-10-31T23:59:59.999Z' })),
      afOld.signer('af-old').sign(envelope({ recordedAt: '2026-11-01T00:00:00.000Z' })),
      kz.signer('kz-1').sign(envelope({ provider: 'KZ' })),
    ];
    const verdicts = await registry.verifyAll(batch);
    expect(verdicts).toEqual(batch.map((e) => registry.verify(e)));
    expect(verdicts.map((v) => (v.ok ? `ok ${v.keyId}` : v.code))).toEqual([
      'ok af-new',
      'SIGNATURE.MISSING',
      'SIGNATURE.INVALID',
      'SIGNATURE.INVALID',
      'KEY.UNKNOWN',
      'KEY.REVOKED',
      'KEY.STATE_MISMATCH',
      'ok af-old',
      'KEY.RETIRED',
      'ok kz-1',
    ]);
    await expect(registry.verifyAll([])).resolves.toEqual([]);
  });

  it('verifyAll refuses a message too deeply nested to canonicalise on its own, and the rest of the batch is verified', async () => {
    const good = af.signer('af-new').sign(envelope());
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const verdicts = await registry.verifyAll([{ ...good, data: deep }, good]);
    expect(verdicts.map((v) => (v.ok ? 'ok' : v.reason.slice(0, 44)))).toEqual(['SIGNATURE.INVALID: cannot be canonicalised: ', 'ok']);
  });

  it('signAll, off the event loop, signs as sign does, in the batch order', async () => {
    const envelopes = Array.from({ length: 50 }, (_, i) => envelope({ streamVersion: i + 1 }));
    const signer = af.signer('af-new');
    const signed = await signer.signAll(envelopes);
    expect(signed).toEqual(envelopes.map((e) => signer.sign(e)));
    expect(signed.map((e) => code(e))).toEqual(envelopes.map(() => 'ok af-new'));
  });

  it('signEnvelope and the class agree', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(signEnvelope(envelope(), privateKey, 'k').signature).toBe(new EnvelopeSigner(privateKey, 'k').sign(envelope()).signature);
  });
});

describe('parseTrustedKeys', () => {
  const { pem } = pair();
  it('lists every problem of the file, entry by entry', () => {
    expect(() =>
      parseTrustedKeys({
        keys: [
          { keyId: 'a', state: 'AF', publicKey: pem, status: 'active' },
          { keyId: 'a', state: 'XX', publicKey: 'nope', status: 'sleeping' },
          { keyId: 'b c', state: 'AF', publicKey: pem, status: 'retired' },
        ],
      }),
    ).toThrow(
      'keys[1].keyId: a appears twice; keys[1].state: one of AF, AZ, CN, IR, KZ, KG, PK, TR, TM; keys[1].status: one of active, retired, revoked; ' +
        'keys[1].publicKey: not an Ed25519 public key (SPKI PEM or 32 bytes in base64); keys[2].keyId: 1-64 of A-Z a-z 0-9 . _ : -; ' +
        'keys[2].retiredAt: an ISO 8601 instant, required for a retired key',
    );
    expect(() => parseTrustedKeys([])).toThrow('expected {"keys": [...]}');
    expect(parseTrustedKeys({ keys: [] })).toEqual([]);
  });
});
