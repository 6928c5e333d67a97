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
