/** How many quarantined messages wait, how many were replayed, and the open ones by reason. */
export interface QuarantineCounts {
  open: number;
  replayed: number;
  byReason: { reason: string; open: number }[];
}

/** The quarantine as node health and the metrics read it. Provided by the quarantine context
 * (PgQuarantineList, QuarantineModule). */
export abstract class QuarantineList {
  abstract counts(): Promise<QuarantineCounts>;
}
