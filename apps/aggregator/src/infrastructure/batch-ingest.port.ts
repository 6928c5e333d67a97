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
    client: import('pg').PoolClient,
    messages: IncomingMessage[],
    options: { recordOffsets?: boolean },
  ): Promise<IngestResult & { rejections: { reason: string }[] }>;
}
