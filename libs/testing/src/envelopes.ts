import { MovementRecorded, MovementRecordedData, MovementRetracted, movementStreamId } from '@caravanserai/contracts';
import { v7 as uuidv7 } from 'uuid';

/** A valid MovementRecorded as a node would publish it. */
export function movementRecorded(over: { provider?: string; occurredOn?: string; data?: Partial<MovementRecordedData> } = {}): MovementRecorded {
  const eventId = uuidv7();
  return {
    eventId,
    type: 'MovementRecorded',
    schemaVersion: 1,
    provider: over.provider ?? 'IR',
    streamId: movementStreamId(eventId),
    streamVersion: 1,
    occurredOn: over.occurredOn ?? '2026-03-02',
    recordedAt: new Date().toISOString(),
    data: {
      direction: 'entry',
      borderCrossingPoint: 'IR-DOGHAROUN',
      citizenship: 'AF',
      departedFrom: 'AF',
      intendedDestination: 'TR',
      category: 'irregular_migrant',
      sex: 'male',
      ageBand: '18-59',
      specificNeeds: [],
      ...over.data,
    },
  };
}

export function movementRetracted(of: MovementRecorded): MovementRetracted {
  return {
    ...of,
    eventId: uuidv7(),
    type: 'MovementRetracted',
    streamVersion: 2,
    recordedAt: new Date().toISOString(),
    data: { movementEventId: of.eventId, reason: 'wrong_record' },
  };
}
