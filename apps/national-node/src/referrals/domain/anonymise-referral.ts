import {
  AgeBand,
  ageBandOn,
  Category,
  FieldError,
  findBorderCrossingPoint,
  localDateOf,
  ReferralMadeData,
  ReferralPathway,
  Sex,
  SpecificNeed,
  toReferralHour,
} from '@caravanserai/contracts';
import type { RawReferral } from './raw-referral';

/** Checks that need more than one field or the node's own state; shape and code lists are checked
 * before, by the DTO. Returns every problem; an empty list means the record may be stored. */
export function checkReferral(raw: RawReferral, index: number, state: string, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const hasBcp = raw.borderCrossingPoint != null;
  const hasProvince = raw.province != null;
  if (hasBcp === hasProvince) {
    errors.push({ index, field: hasBcp ? 'province' : 'borderCrossingPoint', message: 'give exactly one of borderCrossingPoint and province' });
  }
  if (hasBcp) {
    const bcp = findBorderCrossingPoint(raw.borderCrossingPoint!);
    if (bcp && bcp.state !== state) {
      errors.push({ index, field: 'borderCrossingPoint', message: `${raw.borderCrossingPoint} is in ${bcp.state}, not in ${state}, the state of this node` });
    }
  }
  if (hasProvince && !raw.province!.startsWith(`${state}-`)) {
    errors.push({ index, field: 'province', message: `${raw.province} is not a province of ${state}, the state of this node` });
  }
  if (Date.parse(raw.referredAt) > now.getTime() + 86_400_000) {
    errors.push({ index, field: 'referredAt', message: 'referredAt is in the future' });
  }
  if (raw.dateOfBirth && raw.dateOfBirth > localDateOf(raw.referredAt)) {
    errors.push({ index, field: 'dateOfBirth', message: 'dateOfBirth is after the referral date' });
  }
  return errors;
}

/**
 * Turns a raw referral into the anonymised `ReferralMade` data. Direct identifiers (name,
 * document, phone, address, notes, the client's record id) are not copied; the birth date becomes
 * an age band on the referral date; the time is cut to the hour, in UTC.
 */
export function anonymiseReferral(raw: RawReferral, referralId: string): { occurredOn: string; data: ReferralMadeData } {
  const occurredOn = localDateOf(raw.referredAt);
  return {
    occurredOn,
    data: {
      referralId,
      category: raw.category as Category,
      specificNeeds: [...new Set(raw.specificNeeds ?? [])].sort() as SpecificNeed[],
      sex: raw.sex as Sex,
      ageBand: ageBandOn(raw.dateOfBirth, occurredOn) as AgeBand,
      borderCrossingPoint: raw.borderCrossingPoint ?? null,
      province: raw.province ?? null,
      referredTo: raw.referredTo as ReferralPathway,
      movementEventId: raw.movementEventId ?? null,
      referredAt: toReferralHour(raw.referredAt),
    },
  };
}
