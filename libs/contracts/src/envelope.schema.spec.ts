import { limitVersions, MOVEMENT_SCHEMAS, ParsedJson, parseMovementEvent } from './envelope.schema';

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
    // A version newer than this code knows is no longer a bad event: it waits for an upgrade (awaits).
    [
      'a schema version newer than known',
      JSON.stringify({ ...valid, schemaVersion: 9 }),
      /^schemaVersion 9 of MovementRecorded is newer than this aggregator knows$/,
    ],
    ['a schema version that cannot be one', JSON.stringify({ ...valid, schemaVersion: 0 }), /unsupported schemaVersion 0/],
    ['a wrong category', JSON.stringify({ ...valid, data: { ...valid.data, category: 'tourist' } }), /data\.category/],
    ['an extra field in data', JSON.stringify({ ...valid, data: { ...valid.data, fullName: 'x' } }), /fullName should not exist/],
    ['a provider outside the nine', JSON.stringify({ ...valid, provider: 'FR' }), /provider/],
    [
      'a crossing point of another state',
      JSON.stringify({ ...valid, data: { ...valid.data, borderCrossingPoint: 'AF-ISLAMQALA' } }),
      /AF-ISLAMQALA is in AF, not in IR/,
    ],
    [
      'a record on another stream',
      JSON.stringify({ ...valid, streamId: 'movement-01963c4e-0000-7000-8000-000000000009' }),
      /streamId movement-.*9 should be movement-.*1/,
    ],
    [
      'a retraction off its movement stream',
      JSON.stringify({
        ...valid,
        eventId: '01963c4e-0000-7000-8000-000000000002',
        type: 'MovementRetracted',
        streamVersion: 2,
        streamId: 'movement-01963c4e-0000-7000-8000-000000000002',
        data: { movementEventId: valid.eventId, reason: 'wrong_record' },
      }),
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

  it('reads a body already parsed as it reads the bytes, and normalises that value in place', () => {
    const { departedFrom: _d, ...data } = valid.data;
    const body = JSON.parse(JSON.stringify({ ...valid, data })) as typeof valid;
    expect(parseMovementEvent(new ParsedJson(body))).toEqual(parseMovementEvent(Buffer.from(JSON.stringify({ ...valid, data }))));
    expect(body.data.departedFrom).toBeNull();
    expect(parseMovementEvent(new ParsedJson([]))).toEqual({ ok: false, reason: 'not a JSON object' });
  });
});

describe('versions: what waits for an upgrade', () => {
  const v1 = {
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
      departedFrom: null,
      intendedDestination: null,
      category: 'refugee',
      sex: 'male',
      ageBand: '18-59',
      specificNeeds: [],
    },
  };
  const hash = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
  const v2 = { ...v1, schemaVersion: 2, keyId: 'ir-1', batch: { root: hash, size: 1, signature: 'A'.repeat(86) }, proof: { index: 0, path: [] } };
  const onlyV1 = limitVersions(MOVEMENT_SCHEMAS, 1);

  it('reads version 2, and refuses a version 2 that carries a per-event signature', () => {
    expect(parseMovementEvent(JSON.stringify(v2))).toMatchObject({ ok: true });
    expect(parseMovementEvent(JSON.stringify({ ...v2, signature: 'A'.repeat(86) }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature: version 2 is signed by batch/),
    });
    expect(parseMovementEvent(JSON.stringify({ ...v2, proof: { index: 0, path: ['x'] } }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/proof\.path/),
    });
  });

  it('an aggregator limited to version 1 holds version 2 back, and so does any aggregator a version 3', () => {
    expect(parseMovementEvent(JSON.stringify(v2), onlyV1)).toEqual({
      ok: false,
      reason: 'schemaVersion 2 of MovementRecorded is newer than this aggregator knows',
      awaits: { type: 'MovementRecorded', schemaVersion: 2, eventId: v1.eventId, provider: 'IR', streamId: v1.streamId },
    });
    expect(parseMovementEvent(JSON.stringify(v1), onlyV1)).toMatchObject({ ok: true });
    expect(parseMovementEvent(JSON.stringify({ ...v2, schemaVersion: 3, data: { anything: 1 }, newMember: true }))).toMatchObject({
      awaits: { schemaVersion: 3 },
    });
  });

  it('quarantines what cannot be a version at all, or a newer one without the members that order it', () => {
    for (const schemaVersion of [0, -1, 1.5, '2', null]) {
      expect(parseMovementEvent(JSON.stringify({ ...v1, schemaVersion }))).toEqual({
        ok: false,
        reason: `unsupported schemaVersion ${JSON.stringify(schemaVersion)} for MovementRecorded`,
      });
    }
    expect(parseMovementEvent(JSON.stringify({ ...v2, schemaVersion: 3, provider: 'FR' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid MovementRecorded: provider/),
    });
    expect(parseMovementEvent(JSON.stringify({ ...v2, schemaVersion: 3, streamId: 'x' }))).not.toHaveProperty('awaits');
    expect(parseMovementEvent(JSON.stringify({ ...v2, schemaVersion: 3, eventId: 7 }))).not.toHaveProperty('awaits');
  });
});
