import type { ReleaseRef } from '../../disclosure/domain/disclosure-report';
import { lastClosedDay } from '../../kernel/ports/releases';

/** A release: the projections as they stood when it was cut, holding data up to `dataUntil` (the
 * shape every answer names, from the disclosure kernel). */
export type Release = ReleaseRef;

export const RELEASE_FREQUENCIES = ['off', 'daily', 'weekly', 'monthly'] as const;
export type ReleaseFrequency = (typeof RELEASE_FREQUENCIES)[number];

export interface ReleaseSchedule {
  frequency: ReleaseFrequency;
  /** HH:MM, UTC. */
  atUtc: string;
  setBy: string;
  setAt: string;
}

export { lastClosedDay };

/**
 * Whether a scheduled release is due at `now`, given the last release's cut time: the latest
 * scheduled moment at or before `now` (daily at atUtc; weekly on Mondays; monthly on the 1st) must
 * be after the last cut.
 */
export function releaseDue(schedule: Pick<ReleaseSchedule, 'frequency' | 'atUtc'>, lastCutAt: string | null, now: Date): boolean {
  if (schedule.frequency === 'off') return false;
  const [h, m] = schedule.atUtc.split(':').map(Number);
  const at = (y: number, mo: number, d: number) => new Date(Date.UTC(y, mo, d, h, m));
  let slot = at(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (schedule.frequency === 'daily') {
    if (slot > now) slot = at(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1);
  } else if (schedule.frequency === 'weekly') {
    const back = (now.getUTCDay() + 6) % 7; // days since Monday
    slot = at(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back);
    if (slot > now) slot = at(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back - 7);
  } else {
    slot = at(now.getUTCFullYear(), now.getUTCMonth(), 1);
    if (slot > now) slot = at(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  }
  return lastCutAt === null || Date.parse(lastCutAt) < slot.getTime();
}
