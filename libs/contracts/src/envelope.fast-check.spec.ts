import fc from 'fast-check';
import { movementEnvelopeIsValid } from './envelope.fast-check';
import { MOVEMENT_SCHEMAS, parseWith } from './envelope.schema';

/** class-validator's verdict alone (no compiled checks). */
const slowAccepts = (json: unknown) => parseWith(JSON.stringify(json), MOVEMENT_SCHEMAS).ok;

const recorded = {
  eventId: '01963c4e-0000-7000-8000-000000000001',
  type: 'MovementRecorded',
  schemaVersion: 1,
  provider: 'IR',
  streamId: 'movement-01963c4e-0000-7000-8000-000000000001',
  streamVersion: 1,
  occurredOn: '2026-03-02',
  recordedAt: '2026-03-02T10:00:00.000Z',
  data: {
    direction: 'entry',
    borderCrossingPoint: 'IR-DOGHAROUN',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: null,
    category: 'refugee',
    sex: 'male',
    ageBand: '18-59',
    specificNeeds: ['child_at_risk'],
  },
  keyId: 'IR-1',
  signature: 'c2ln',
};
const retracted = {
  ...recorded,
  eventId: '01963c4e-0000-7000-8000-000000000002',
  type: 'MovementRetracted',
  streamVersion: 2,
  data: { movementEventId: '01963c4e-0000-7000-8000-000000000001', reason: 'duplicate_record' },
};

// Version 2: the same data, signed by batch.
const { signature: _signature, ...recordedUnsigned } = recorded;
const hash = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
const recordedV2 = { ...recordedUnsigned, schemaVersion: 2, batch: { root: hash, size: 3, signature: 'A'.repeat(86) }, proof: { index: 2, path: [hash] } };

describe('movementEnvelopeIsValid (the compiled valid case of the movement envelope classes)', () => {
  it('accepts valid envelopes of both types, as class-validator does', () => {
    for (const e of [recorded, retracted, recordedV2]) {
      expect(slowAccepts(e)).toBe(true);
      expect(movementEnvelopeIsValid(JSON.parse(JSON.stringify(e)))).toBe(true);
    }
    const { keyId, signature, ...unsigned } = recorded;
    expect([keyId, signature].length).toBe(2);
    expect(movementEnvelopeIsValid({ ...unsigned, data: { ...recorded.data, departedFrom: undefined } })).toBe(true);
  });

  const envelopeFields = [...Object.keys(recorded), 'batch', 'proof', 'extra'];
  const dataFields = [...Object.keys(recorded.data), ...Object.keys(retracted.data), 'extra'];
  const oddValue = fc.oneof(
    fc.constantFrom(null, undefined, 0, 1, 2, 1.5, -1, true, [], {}, '', 'x', 'AF', 'XX', 'zz', 'IR', 'IR-DOGHAROUN', 'PK-TORKHAM', 'ir-dogharoun'),
    fc.constantFrom(
      '2025-02-29',
      '2024-02-29',
      '2025-13-01',
      '2025-01-01T10:00:00Z',
      '2025-01-01T24:00:00Z',
      '2025-01-01T10:00Z',
      '2025-01-01T10:00:00+03:30',
      '20250101',
    ),
    fc.constantFrom(
      '01963c4e-0000-7000-8000-00000000000G',
      '01963C4E-0000-7000-8000-000000000001',
      '00000000-0000-0000-0000-000000000000',
      'movement-01963c4e-0000-7000-8000-000000000001',
      'Movement-x',
    ),
    fc.constantFrom(
      ['child_at_risk'],
      ['child_at_risk', 'child_at_risk'],
      ['flying'],
      [],
      'child_at_risk',
      'wrong_record',
      'duplicate_record',
      'entry',
      'exit',
      'refugee',
      'female',
      '0-4',
      'duplicate',
      'MovementRecorded',
      'MovementRetracted',
    ),
    fc.constantFrom(
      hash,
      [hash],
      [],
      [hash, 'x'],
      { root: hash, size: 1, signature: 'A'.repeat(86) },
      { root: hash, size: 0, signature: 'A'.repeat(86) },
      { index: 0, path: [] },
      { index: -1, path: [] },
      { index: 0, path: [hash, hash], x: 1 },
    ),
    fc.string({ maxLength: 8 }),
  );
  const edit = fc.tuple(fc.boolean(), fc.constantFrom(...envelopeFields), fc.constantFrom(...dataFields), oddValue, fc.boolean());

  it('never accepts an envelope that class-validator refuses (mutated envelopes)', () => {
    let bothAccept = 0;
    fc.assert(
      fc.property(fc.constantFrom(recorded, retracted, recordedV2), fc.array(edit, { minLength: 1, maxLength: 3 }), (start, edits) => {
        const e: Record<string, unknown> = JSON.parse(JSON.stringify(start));
        for (const [inData, field, dataField, value, remove] of edits) {
          const target = inData && typeof e.data === 'object' && e.data !== null ? (e.data as Record<string, unknown>) : e;
          const key = target === e ? field : dataField;
          if (remove) delete target[key];
          else target[key] = value;
        }
        const json = JSON.parse(JSON.stringify(e)); // as it arrives from Kafka
        if (movementEnvelopeIsValid(json)) {
          expect(slowAccepts(json)).toBe(true);
          bothAccept++;
        }
      }),
      { numRuns: 3000 },
    );
    // Some mutations keep the envelope valid (e.g. another valid code): the check above is not vacuous.
    expect(bothAccept).toBeGreaterThan(30);
  });

  it('refuses what is not an envelope of schema version 1 or 2', () => {
    expect(movementEnvelopeIsValid({ ...recorded, schemaVersion: 2 })).toBe(false);
    expect(movementEnvelopeIsValid({ ...recordedV2, schemaVersion: 1 })).toBe(false);
    expect(movementEnvelopeIsValid({ ...recordedV2, schemaVersion: 3 })).toBe(false);
    expect(movementEnvelopeIsValid({ ...recordedV2, signature: 'A'.repeat(86) })).toBe(false);
    expect(movementEnvelopeIsValid({ ...recorded, type: 'ReferralMade' })).toBe(false);
    expect(movementEnvelopeIsValid({ ...recorded, data: [] } as never)).toBe(false);
  });
});
