import type { AuditEntry } from '../domain/audit-entry';

/** What a reader of the trail may see: everything (the secretariat), or a state's view, i.e. the
 * entries about its data and the queries it made itself. */
export type AuditScope = { kind: 'all' } | { kind: 'state'; state: string; principal: string };

export interface AuditFilter {
  scope: AuditScope;
  /** From this instant, inclusive. */
  from?: string;
  /** Up to this instant, exclusive. */
  to?: string;
  principal?: string;
  provider?: string;
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
