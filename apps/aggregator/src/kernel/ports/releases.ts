import type { ReleaseRef } from '../../disclosure/domain/disclosure-report';

/** The releases as the other contexts read them (feeds, forecast, emergencies): the one answers
 * read now. Provided by the releases context (PgReleases, ReleasesModule). */
export abstract class Releases {
  /** The release answers read now, or null before the first one. */
  abstract latest(): Promise<ReleaseRef | null>;
}

/** The day before `now` (UTC): the latest day a release may hold, as a day is open until it ends. */
export function lastClosedDay(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
}
