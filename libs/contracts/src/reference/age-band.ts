import type { AgeBand } from './codes';

/** Age bands are computed at the crossing date, by the node (anonymisation) and by generators. */

/** Whole years between a birth date and a day, both `YYYY-MM-DD`. */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function ageBandOn(dateOfBirth: string | undefined | null, day: string): AgeBand {
  if (!dateOfBirth) return 'unknown';
  const age = ageOn(dateOfBirth, day);
  if (age < 0) return 'unknown';
  if (age <= 4) return '0-4';
  if (age <= 11) return '5-11';
  if (age <= 17) return '12-17';
  if (age <= 59) return '18-59';
  return '60+';
}
