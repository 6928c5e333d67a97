import { parseMovementEvent } from './envelope.schema';

const valid = {
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
    specificNeeds: [],
  },
};

describe('parseMovementEvent', () => {
  it('accepts a valid MovementRecorded', () => {
    const r = parseMovementEvent(Buffer.from(JSON.stringify(valid)));
    expect(r).toEqual({ ok: true, event: valid });
  });

  it.each([
    ['not JSON', '{oops', /^not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['an unknown type', JSON.stringify({ ...valid, type: 'Teleported' }), /unknown event type: "Teleported"/],
    ['an unknown schema version', JSON.stringify({ ...valid, schemaVersion: 9 }), /unsupported schemaVersion 9/],
    ['a wrong category', JSON.stringify({ ...valid, data: { ...valid.data, category: 'tourist' } }), /data\.category/],
    ['an extra field in data', JSON.stringify({ ...valid, data: { ...valid.data, fullName: 'x' } }), /fullName should not exist/],
    ['a provider outside the nine', JSON.stringify({ ...valid, provider: 'FR' }), /provider/],
    ['a crossing point of another state', JSON.stringify({ ...valid, data: { ...valid.data, borderCrossingPoint: 'AF-ISLAMQALA' } }), /AF-ISLAMQALA is in AF, not in IR/],
    ['a record on another stream', JSON.stringify({ ...valid, streamId: 'movement-01963c4e-0000-7000-8000-000000000009' }), /streamId movement-.*9 should be movement-.*1/],
    [
      'a retraction off its movement stream',
      JSON.stringify({ ...valid, eventId: '01963c4e-0000-7000-8000-000000000002', type: 'MovementRetracted', streamVersion: 2, streamId: 'movement-01963c4e-0000-7000-8000-000000000002', data: { movementEventId: valid.eventId, reason: 'wrong_record' } }),
      /should be movement-01963c4e-0000-7000-8000-000000000001/,
    ],
    ['a recordedAt without time', JSON.stringify({ ...valid, recordedAt: '2026-03-02' }), /recordedAt/],
    ['repeated needs', JSON.stringify({ ...valid, data: { ...valid.data, specificNeeds: ['disability', 'disability'] } }), /specificNeeds/],
    ['a null signature', JSON.stringify({ ...valid, signature: null }), /signature/],
  ])('refuses %s with the reason', (_, raw, reason) => {
    const r = parseMovementEvent(Buffer.from(raw));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('refuses a null message', () => {
    expect(parseMovementEvent(null)).toEqual({ ok: false, reason: 'empty message (null value)' });
  });
});
