import { AgeBand, ageBandOn, Category, Direction, FieldError, findBorderCrossingPoint, MovementRecordedData, Sex, SpecificNeed } from '@caravanserai/contracts';
import type { RawMovement } from './raw-movement';

/** The crossing date as written at the border post: the date part of the local timestamp. */
export const crossingDate = (crossedAt: string): string => crossedAt.slice(0, 10);

/** Checks that need more than one field or the node's own state. Shape and code lists are checked
 * before, by the DTO. Returns every problem; an empty list means the record may be stored. */
export function checkMovement(raw: RawMovement, index: number, state: string, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const bcp = findBorderCrossingPoint(raw.borderCrossingPoint);
  if (bcp && bcp.state !== state) {
    errors.push({ index, field: 'borderCrossingPoint', message: `${raw.borderCrossingPoint} is in ${bcp.state}, not in ${state}, the state of this node` });
  }
  const crossed = Date.parse(raw.crossedAt);
  // A clock a day ahead is tolerated; a crossing further in the future is a data-entry error.
  if (crossed > now.getTime() + 86_400_000) {
    errors.push({ index, field: 'crossedAt', message: 'crossedAt is in the future' });
  }
  if (raw.dateOfBirth && raw.dateOfBirth > crossingDate(raw.crossedAt)) {
    errors.push({ index, field: 'dateOfBirth', message: 'dateOfBirth is after the crossing date' });
  }
  return errors;
}

/**
 * Turns a raw record into the anonymised `MovementRecorded` data. Direct identifiers (name,
 * document, phone, address, notes, the client's record id) are not copied; the birth date
 * becomes an age band at the crossing date; the timestamp becomes the crossing date.
 */
export function anonymiseMovement(raw: RawMovement): { occurredOn: string; data: MovementRecordedData } {
  const occurredOn = crossingDate(raw.crossedAt);
  return {
    occurredOn,
    data: {
      direction: raw.direction as Direction,
      borderCrossingPoint: raw.borderCrossingPoint,
      citizenship: raw.citizenship,
      departedFrom: raw.departedFrom ?? null,
      intendedDestination: raw.intendedDestination ?? null,
      category: raw.category as Category,
      sex: raw.sex as Sex,
      ageBand: ageBandOn(raw.dateOfBirth, occurredOn) as AgeBand,
      // Most records have none: no Set and no sort for them (this runs for every record ingested).
      specificNeeds: (raw.specificNeeds?.length ? [...new Set(raw.specificNeeds)].sort() : []) as SpecificNeed[],
    },
  };
}
