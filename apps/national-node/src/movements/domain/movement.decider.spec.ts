import { DomainError, EventEnvelope, MOVEMENT_RECORDED, MOVEMENT_RETRACTED } from '@caravanserai/contracts';
import { deciderSpec } from '@caravanserai/testing';
import { decide, evolve, initialMovementState } from './movement.decider';

const id = '01963c4e-0000-7000-8000-000000000001';
const recorded: EventEnvelope = {
  eventId: id,
  type: MOVEMENT_RECORDED,
  schemaVersion: 1,
  provider: 'IR',
  streamId: `movement-${id}`,
  streamVersion: 1,
  occurredOn: '2026-03-02',
  recordedAt: '2026-03-02T10:00:00.000Z',
  data: {},
};
const retracted: EventEnvelope = {
  ...recorded,
  eventId: '01963c4e-0000-7000-8000-000000000002',
  type: MOVEMENT_RETRACTED,
  streamVersion: 2,
  data: { movementEventId: id, reason: 'wrong_record' },
};
const given = deciderSpec({ decide, evolve, initialState: initialMovementState });
const retract = { type: 'RetractMovement' as const, movementEventId: id, reason: 'wrong_record' as const };

describe('movement decider', () => {
  it('given a recorded movement, when retracted, then MovementRetracted at the next version, on the crossing day', () => {
    given([recorded])
      .when(retract)
      .then({
        type: MOVEMENT_RETRACTED,
        data: { movementEventId: id, reason: 'wrong_record' },
        streamVersion: 2,
        occurredOn: '2026-03-02',
      });
  });

  it('given nothing, when retracted, then not found', () => {
    given([]).when(retract).thenThrows({ code: 'MOVEMENT.NOT_FOUND', kind: 'not_found' });
  });

  it('given a retracted movement, when retracted again, then a conflict naming the retraction', () => {
    given([recorded, retracted])
      .when(retract)
      .thenThrows({ code: 'MOVEMENT.ALREADY_RETRACTED', kind: 'conflict', details: { retractionEventId: retracted.eventId } }, DomainError);
  });
});
