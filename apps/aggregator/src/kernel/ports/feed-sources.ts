import { Injectable } from '@nestjs/common';
import type { AuditTrail } from './audit-trail';
import type { Grant } from '../../disclosure/domain/policy';
import type { FeedItem, FeedItemKind } from '../../answers/feed-item';

/** An item ready to append, and the agreement it was computed under (null: none, e.g. an
 * announcement), so that a revocation hides it on every channel. */
export type PendingFeedItem = { item: FeedItem; agreementId: string | null };

/** What the feed writer hands a source on each run: the same recipients, grants, audit, signing
 * and append-with-marks that its own release, alert and agreement items use. */
export interface FeedWriting {
  /** The writer's clock, and its day (YYYY-MM-DD, UTC). */
  now: Date;
  today: string;
  /** Everyone with a feed (see feedRecipients). */
  recipients(): Promise<string[]>;
  /** The registry's grants, as every answer reads them. */
  grants(): Promise<Grant[]>;
  /** Which of `marks` are done already. */
  marked(marks: string[]): Promise<Set<string>>;
  /** Audits an item as `FEED <kind>` for `recipient` before it is stored (no record, no item). */
  fed(recipient: string, kind: FeedItemKind, query: object, what: Parameters<AuditTrail['fed']>[3]): Promise<void>;
  /** A signed item, signed over exactly what is stored. */
  item(id: string, kind: FeedItemKind, recipient: string, occurredAt: string, data: object, agreementId: string | null): Promise<PendingFeedItem>;
  /** Appends the items and records the marks in one transaction; nothing when every mark is
   * already there (another instance or an earlier run did it). Returns how many were added. */
  append(items: PendingFeedItem[], marks: string[]): Promise<number>;
}

/** A context that has items of its own to put in recipients' feeds (forecasts, emergencies).
 * `write` runs after the writer's own items on every run (each second and on FeedNews), so it
 * must be cheap when there is nothing new, and must mark what it wrote. */
export interface FeedSource {
  readonly name: string;
  write(w: FeedWriting): Promise<number>;
}

/** The sources the feed writer runs, registered by their modules at start (onModuleInit). The
 * feeds context provides the one registry (FeedsModule, global) and runs what is registered. */
@Injectable()
export class FeedSources {
  private readonly sources: FeedSource[] = [];

  register(source: FeedSource): void {
    if (this.sources.some((s) => s.name === source.name)) throw new Error(`feed source ${source.name} is registered twice`);
    this.sources.push(source);
  }

  all(): readonly FeedSource[] {
    return this.sources;
  }
}
