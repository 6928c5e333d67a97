import type { EventEnvelope, ParseResult } from '@caravanserai/contracts';
import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { inTransaction } from '@caravanserai/database';
import type { Pool, PoolClient } from 'pg';
import type { BatchIngest, IncomingMessage, IngestResult, NotEarlier, ReplayableIngest } from './ingest-types';
import { holdBack } from './pg-awaiting-upgrade';
import { storeOffsets } from './pg-ingest-support';

export type { BatchIngest, IncomingMessage, IngestResult, NotEarlier, ReplayableIngest } from './ingest-types';

/**
 * The shape every regional ingest takes. Every message is first `checked`: a valid event of the
 * topic (`parse`: JSON, schema) whose signature a trusted key of its provider verifies, or a
 * reason for the quarantine. That needs no database, so `ingest` (the consumer) does it before it
 * opens its transaction, which then holds a connection only for the writes (`applyWithin`).
 * `ingestWithin` runs both inside a transaction the caller owns, so the quarantine replay (whose
 * mark on the message commits with the replay) checks exactly as the consumer does.
 */
export abstract class TransactionalIngest<E extends EventEnvelope> implements BatchIngest, ReplayableIngest {
  protected abstract readonly consumerGroup: string;

  constructor(
    protected readonly pool: Pool,
    private readonly verifier: EnvelopeVerifier,
  ) {}

  /** The topic's own checks: JSON and schema. */
  protected abstract parse(raw: Buffer | null): ParseResult<E>;

  /** Takes in a batch whose messages were checked (`checked[i]` is the verdict on `messages[i]`),
   * inside the caller's transaction; records the next offsets unless `recordOffsets` is false. */
  protected abstract applyWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<E>[],
    options: { recordOffsets: boolean },
  ): Promise<IngestResult & { rejections: { reason: string }[] }>;

  /** The topic's own checks first, then the signature over each message as it arrived, before
   * the parsed event is normalised: nothing unverified goes further. The signatures of the batch
   * are checked together, off the event loop; verdicts in batch order. */
  private async checked(messages: IncomingMessage[]): Promise<ParseResult<E>[]> {
    const parsed = messages.map((m) => this.parse(m.value));
    const toVerify: number[] = [];
    parsed.forEach((p, i) => p.ok && toVerify.push(i));
    const verdicts = await this.verifier.verifyAll(toVerify.map((i) => JSON.parse(messages[i].value!.toString('utf8')) as object));
    toVerify.forEach((i, n) => {
      const verdict = verdicts[n];
      if (!verdict.ok) parsed[i] = { ok: false, reason: verdict.reason };
    });
    return parsed;
  }

  async ingestWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    { recordOffsets = true, notEarlier = null }: { recordOffsets?: boolean; notEarlier?: NotEarlier } = {},
  ): Promise<IngestResult & { rejections: { reason: string }[] }> {
    return this.applyOrHold(client, messages, await this.checked(messages), recordOffsets, notEarlier);
  }

  async ingest(messages: IncomingMessage[]): Promise<IngestResult> {
    if (messages.length === 0) return { received: 0, applied: 0, duplicates: 0, quarantined: 0 };
    const checked = await this.checked(messages);
    const { rejections: _rejections, ...result } = await inTransaction(this.pool, (client) => this.applyOrHold(client, messages, checked, true, null));
    return result;
  }

  /** What must wait for an upgrade (pg-awaiting-upgrade.ts) is held back; the rest is applied.
   * The offsets cover the whole batch, the messages held back included. */
  private async applyOrHold(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<E>[],
    recordOffsets: boolean,
    notEarlier: NotEarlier,
  ): Promise<IngestResult & { rejections: { reason: string }[] }> {
    const held = await holdBack(client, messages, checked, notEarlier);
    if (held.size === 0) return this.applyWithin(client, messages, checked, { recordOffsets });
    const rest = messages.flatMap((m, i) => (held.has(i) ? [] : [{ m, c: checked[i] }]));
    const result =
      rest.length > 0
        ? await this.applyWithin(client, rest.map((r) => r.m), rest.map((r) => r.c), { recordOffsets: false })
        : { received: 0, applied: 0, duplicates: 0, quarantined: 0, rejections: [] };
    if (recordOffsets) await storeOffsets(client, this.consumerGroup, messages);
    return { ...result, received: messages.length, waiting: held.size };
  }
}
