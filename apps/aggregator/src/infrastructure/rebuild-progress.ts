/** How far a replay into a projection has gone (the flows and referral rebuilds, and the release
 * of a provider's held events), as rebuild.ts reports it. */
export interface RebuildProgress {
  events: number;
  /** Projection rows written, where the rebuild counts them. */
  cells?: number;
  seconds: number;
}
