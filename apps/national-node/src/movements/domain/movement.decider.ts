import { Decider, DomainError, EventEnvelope, MOVEMENT_RECORDED, MOVEMENT_RETRACTED, MovementRetractedData, RetractionReason } from '@caravanserai/contracts';

export type MovementState =
  | { status: 'none' }
  | { status: 'recorded'; eventId: string; occurredOn: string; version: number }
  | { status: 'retracted'; eventId: string; occurredOn: string; version: number; retractionEventId: string };

export interface RetractMovement {
  type: 'RetractMovement';
  movementEventId: string;
  reason: RetractionReason;
}

export class MovementError {
  static notFound(eventId: string) {
    return new DomainError('MOVEMENT.NOT_FOUND', `no movement with eventId ${eventId} was recorded by this node`, 'not_found');
  }
  static concurrentChange(eventId: string) {
    return new DomainError('MOVEMENT.CONCURRENT_CHANGE', `movement ${eventId} was changed concurrently; read it again`, 'conflict');
  }
  static alreadyRetracted(eventId: string, retractionEventId: string) {
    return new DomainError('MOVEMENT.ALREADY_RETRACTED', `movement ${eventId} is already retracted`, 'conflict', {
      status: 'retracted',
      retractionEventId,
    });
  }
}

export const initialMovementState: MovementState = { status: 'none' };

export function evolve(state: MovementState, event: EventEnvelope): MovementState {
  switch (event.type) {
    case MOVEMENT_RECORDED:
      return { status: 'recorded', eventId: event.eventId, occurredOn: event.occurredOn, version: event.streamVersion };
    case MOVEMENT_RETRACTED:
      if (state.status === 'none') return state;
      return { ...state, status: 'retracted', version: event.streamVersion, retractionEventId: event.eventId };
    default:
      return state;
  }
}

/** What retracting a movement records: the event data and the stream version it must take. */
export type MovementDecision = { type: typeof MOVEMENT_RETRACTED; data: MovementRetractedData; streamVersion: number; occurredOn: string };

export function decide(command: RetractMovement, state: MovementState): MovementDecision {
  switch (state.status) {
    case 'none':
      throw MovementError.notFound(command.movementEventId);
    case 'retracted':
      throw MovementError.alreadyRetracted(state.eventId, state.retractionEventId);
    case 'recorded':
      return {
        type: MOVEMENT_RETRACTED,
        data: { movementEventId: state.eventId, reason: command.reason },
        streamVersion: state.version + 1,
        // A retraction belongs to the day of the crossing it withdraws, so that projections by
        // day take it out of the right cell.
        occurredOn: state.occurredOn,
      };
  }
}

/** A movement stream's decider, for the command pipeline (it needs no context: a retraction's day
 * is the crossing's). */
export const movementDecider: Decider<MovementState, RetractMovement, MovementDecision> = {
  initialState: initialMovementState,
  evolve,
  decide: (command, state) => decide(command, state),
};
