import type { AuditEntry } from './audit-entry';

/** Which entries a reader of the trail gets: every one (the aggregator's admin), a caller's own
 * queries (any reader), or the others' queries that concerned a state's data (a state asking
 * `about=mine`; the controller reduces those entries before they leave, see audit-view.ts). */
export type AuditScope = { kind: 'all' } | { kind: 'own'; principal: string } | { kind: 'about'; state: string; principal: string };

export interface AuditFilter {
  scope: AuditScope;
  /** From this instant, inclusive. */
  from?: string;
  /** Up to this instant, exclusive. */
  to?: string;
  principal?: string;
  provider?: string;
  /** Entries with a part shared under this emergency's terms (docs/emergencies.md). */
  emergency?: string;
  /** Entries older than this id (the `next` of the previous page). */
  before?: number;
  limit: number;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
  at: string;
}

/** Where the trail is kept: appended to, read, never changed. */
export abstract class AuditLog {
  abstract append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  abstract list(filter: AuditFilter): Promise<StoredAuditEntry[]>;
}
