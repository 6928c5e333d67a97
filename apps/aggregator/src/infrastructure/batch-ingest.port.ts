import type { ParseResult } from '@caravanserai/contracts';
import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { inTransaction } from '@caravanserai/database';
import type { Pool, PoolClient } from 'pg';

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
    client: PoolClient,
    messages: IncomingMessage[],
    options: { recordOffsets?: boolean },
  ): Promise<IngestResult & { rejections: { reason: string }[] }>;
}

/**
 * The shape every regional ingest takes: the work is `ingestWithin` (a transaction the caller
 * owns, so the quarantine replay can run it too); `ingest` runs it in a transaction of its own,
 * as the consumer does. Every message is read through `verified`: a valid event of the topic
 * whose signature a trusted key of its provider verifies, or a reason for the quarantine.
 */
export abstract class TransactionalIngest implements BatchIngest, ReplayableIngest {
  constructor(
    protected readonly pool: Pool,
    private readonly verifier: EnvelopeVerifier,
  ) {}

  /** The topic's own checks first (JSON, schema), then the signature over each message as it
   * arrived, before the parsed event is normalised: nothing unverified goes further. The
   * signatures of the batch are checked together, off the event loop; results in batch order. */
  protected async verifiedAll<E>(parse: (raw: Buffer | null) => ParseResult<E>, raws: (Buffer | null)[]): Promise<ParseResult<E>[]> {
    const parsed = raws.map((raw) => parse(raw));
    const toVerify: number[] = [];
    parsed.forEach((p, i) => p.ok && toVerify.push(i));
    const verdicts = await this.verifier.verifyAll(toVerify.map((i) => JSON.parse(raws[i]!.toString('utf8')) as object));
    toVerify.forEach((i, n) => {
      const verdict = verdicts[n];
      if (!verdict.ok) parsed[i] = { ok: false, reason: verdict.reason };
    });
    return parsed;
  }

  abstract ingestWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    options?: { recordOffsets?: boolean },
  ): Promise<IngestResult & { rejections: { reason: string }[] }>;

  async ingest(messages: IncomingMessage[]): Promise<IngestResult> {
    if (messages.length === 0) return { received: 0, applied: 0, duplicates: 0, quarantined: 0 };
    const { rejections: _rejections, ...result } = await inTransaction(this.pool, (client) => this.ingestWithin(client, messages));
    return result;
  }
}
