/** What the consumer, the quarantine replay and the awaiting-upgrade replay ask of an ingest
 * (ingest-pipeline.ts is the one that implements it), and the types its steps share. */

import type { PoolClient } from 'pg';

/** Of the ids of awaiting_upgrade, the range not to count as earlier than the batch (a replay's
 * own chunk and what came after it); null when consuming, where everything waiting came earlier. */
export type NotEarlier = { from: number; to: number } | null;

/** One Kafka message as the ingest steps see it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export interface IngestResult {
  received: number;
  applied: number;
  duplicates: number;
  quarantined: number;
  /** Held in awaiting_upgrade: a version newer than this aggregator knows, or behind one. */
  waiting?: number;
}

/**
 * Takes one batch of one partition of one topic into the regional store, in one PostgreSQL
 * transaction that also records the next offsets (`storeOffsets`). Must be idempotent: the same
 * batch twice changes nothing the second time.
 */
export interface BatchIngest {
  ingest(messages: IncomingMessage[]): Promise<IngestResult>;
}

/** An ingest that can run inside a transaction the caller owns, without recording offsets: the
 * quarantine replay uses it so that the replay and the mark on the message commit together. */
export interface ReplayableIngest {
  ingestWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    options: { recordOffsets?: boolean; notEarlier?: NotEarlier },
  ): Promise<IngestResult & { rejections: { reason: string }[] }>;
}
