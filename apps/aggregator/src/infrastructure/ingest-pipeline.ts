import { EventEnvelope, MessageBody, ParsedJson, ParseResult } from '@caravanserai/contracts';
import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { inTransaction } from '@caravanserai/database';
import type { Pool, PoolClient } from 'pg';
import type { BatchIngest, IncomingMessage, IngestResult, NotEarlier, ReplayableIngest } from './batch-ingest.port';
import { holdBack } from './pg-awaiting-upgrade';
import { Accepted, existingEventIds, insertEvents, lockPooledProviders, quarantine, Rejected, storeOffsets, updateProviderStatus } from './pg-ingest-support';

/** An event the regional log took in, with the record key the log gave it (the cell-key method's). */
export interface Taken<E extends EventEnvelope> {
  event: E;
  recordKey: number;
}

/** The topic's rules on a group of new events: a reason to refuse each (null: taken in), and what
 * they read that the projection needs again (`plan`). */
export interface Checked<P> {
  refusals: (string | null)[];
  plan: P;
}

/**
 * What one regional topic supplies to the ingest pipeline: only what is its own. Everything else —
 * the signature, event ids already known, the regional log, holding an unpooled provider's data,
 * the quarantine, provider status, offsets, awaiting_upgrade — the pipeline does, the same for
 * every topic.
 */
export interface IngestTopic<E extends EventEnvelope, P = unknown> {
  /**
   * Provider data (movements, referrals): held in the log, not projected, until the provider
   * pools (its first grant), and counted in its provider status. Agreements are not: they decide
   * the pooling.
   */
  readonly providerData: boolean;
  /**
   * Each event is decided on the state the one before left (agreements: a grant, then its
   * amendment): the pipeline takes the batch in one event at a time, in stream order, each
   * checked, logged and projected before the next is checked. Otherwise the batch is one group:
   * one check, one insert, one projection (one multi-row upsert).
   */
  readonly oneAtATime: boolean;
  /** JSON and schema (no database): the message's bytes, or its body already parsed (which the
   * topic may normalise in place). */
  parse(raw: MessageBody): ParseResult<E>;
  /** The topic's rules (a retraction's movement, a referral's owner, agreement rules), in the
   * batch's transaction, before the events go into the log. */
  check(client: PoolClient, events: E[]): Promise<Checked<P>>;
  /** The taken events into the topic's projection (of pooled providers only, for provider data);
   * `recordKeys` holds the key of every event of the group the log took in. */
  project(client: PoolClient, taken: Taken<E>[], plan: P, recordKeys: Map<string, number>): Promise<void>;
}

type Outcome = IngestResult & { rejections: Rejected[] };

/** A message's body parsed as JSON, or undefined when it is none (the topic's parse then says why). */
function jsonBody(value: Buffer | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON's escape of U+0000, the one character a JSON text may carry that PostgreSQL cannot store
 * (in text or jsonb); a raw NUL byte is not JSON at all. */
const NUL_ESCAPE = '\\u0000';
const HOLDS_NUL = 'BODY.NUL: a string of the message holds U+0000 (NUL), which the regional log cannot store';

/** Whether a parsed JSON value holds a NUL in any string, member names included. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v));
  return false;
}

const TAKEN_POSITION = (e: EventEnvelope) => `stream position ${e.streamId}@${e.streamVersion} is taken by another event`;

/**
 * The one ingest pipeline of the aggregator. Every message is first checked: a valid event of the
 * topic (`parse`) whose signature a trusted key of its provider verifies, or a reason for the
 * quarantine. That needs no database, so `ingest` (the consumer) does it before it opens its
 * transaction, which then holds a connection only for the writes. `ingestWithin` runs the same
 * inside a transaction the caller owns (the quarantine replay, whose mark on the message commits
 * with the replay; the awaiting-upgrade replay), leaving the offsets alone if asked.
 *
 * In the transaction: what must wait for an upgrade is held back (pg-awaiting-upgrade.ts); the
 * rest, per group (the batch, or each event for a topic decided `oneAtATime`): event ids already
 * seen in the group skipped; the topic's `check`; the events it does not refuse into the regional
 * log, where an id already there is a duplicate and a stream position taken by another event a
 * conflict for the quarantine; an event the log already holds is a duplicate whatever the topic's
 * rules now say of it; for provider data, the providers' pool rows share-locked and only pooled
 * providers' events projected; the topic's `project`. Then the quarantine, provider status and the
 * next offsets of the whole batch. Running the same batch twice changes nothing the second time.
 */
export class IngestPipeline<E extends EventEnvelope, P = unknown> implements BatchIngest, ReplayableIngest {
  constructor(
    private readonly topic: IngestTopic<E, P>,
    protected readonly pool: Pool,
    private readonly consumerGroup: string,
    private readonly verifier: EnvelopeVerifier,
  ) {}

  async ingest(messages: IncomingMessage[]): Promise<IngestResult> {
    if (messages.length === 0) return { received: 0, applied: 0, duplicates: 0, quarantined: 0 };
    const checked = await this.checked(messages);
    const { rejections: _rejections, ...result } = await inTransaction(this.pool, (client) => this.applyOrHold(client, messages, checked, true, null));
    return result;
  }

  async ingestWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    { recordOffsets = true, notEarlier = null }: { recordOffsets?: boolean; notEarlier?: NotEarlier } = {},
  ): Promise<Outcome> {
    return this.applyOrHold(client, messages, await this.checked(messages), recordOffsets, notEarlier);
  }

  /** The topic's own checks, then the signature over each message as it arrived: nothing
   * unverified goes further, and a message that fails both is refused for the topic's reason. Each
   * body is parsed once: the signatures of the batch are checked first, together and off the event
   * loop, over the bodies as parsed, and only then do the topic's checks read (and normalise) the
   * same values. Verdicts in batch order. */
  private async checked(messages: IncomingMessage[]): Promise<ParseResult<E>[]> {
    const bodies = messages.map((m) => jsonBody(m.value));
    const toVerify: number[] = [];
    bodies.forEach((b, i) => typeof b === 'object' && b !== null && !Array.isArray(b) && toVerify.push(i));
    const verdicts = await this.verifier.verifyAll(toVerify.map((i) => bodies[i] as object));
    const parsed = messages.map((m, i) => this.topic.parse(bodies[i] === undefined ? m.value : new ParsedJson(bodies[i])));
    toVerify.forEach((i, n) => {
      const verdict = verdicts[n];
      if (parsed[i].ok && !verdict.ok) parsed[i] = { ok: false, reason: verdict.reason };
    });
    // A NUL would make the whole batch's insert fail, at every retry: the message goes to the
    // quarantine instead (valid, signed or waiting for an upgrade alike). Only a body whose bytes
    // hold the escape is looked through.
    messages.forEach((m, i) => {
      if (m.value?.includes(NUL_ESCAPE) && holdsNul(bodies[i])) parsed[i] = { ok: false, reason: HOLDS_NUL };
    });
    return parsed;
  }

  /** What must wait for an upgrade is held back; the rest is taken in. The offsets cover the whole
   * batch, the messages held back included. */
  private async applyOrHold(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<E>[],
    recordOffsets: boolean,
    notEarlier: NotEarlier,
  ): Promise<Outcome> {
    const held = await holdBack(client, messages, checked, notEarlier);
    const rest = held.size === 0 ? messages.map((m, i) => ({ m, c: checked[i] })) : messages.flatMap((m, i) => (held.has(i) ? [] : [{ m, c: checked[i] }]));
    const result = await this.takeIn(
      client,
      rest.map((r) => r.m),
      rest.map((r) => r.c),
    );
    if (recordOffsets) await storeOffsets(client, this.consumerGroup, messages);
    return held.size === 0 ? result : { ...result, received: messages.length, waiting: held.size };
  }

  /** The checked messages into the log and the projection, group by group; then the quarantine and provider status. */
  private async takeIn(client: PoolClient, messages: IncomingMessage[], checked: ParseResult<E>[]): Promise<Outcome> {
    const rejected: Rejected[] = [];
    const fresh: E[] = [];
    let duplicates = 0;
    let group: Accepted<E>[] = [];
    const flush = async () => {
      const done = await this.takeInGroup(client, group);
      rejected.push(...done.rejected);
      fresh.push(...done.fresh);
      duplicates += done.duplicates;
      group = [];
    };
    for (const [i, message] of messages.entries()) {
      const parsed = checked[i];
      if (!parsed.ok) rejected.push({ message, reason: parsed.reason });
      else {
        group.push({ event: parsed.event, message });
        if (this.topic.oneAtATime) await flush();
      }
    }
    if (group.length > 0) await flush();
    await quarantine(client, rejected);
    if (this.topic.providerData) await updateProviderStatus(client, fresh);
    return { received: messages.length, applied: fresh.length, duplicates, quarantined: rejected.length, rejections: rejected };
  }

  private async takeInGroup(client: PoolClient, group: Accepted<E>[]): Promise<{ fresh: E[]; duplicates: number; rejected: Rejected[] }> {
    const seen = new Set<string>();
    const accepted = group.filter(({ event }) => !seen.has(event.eventId) && seen.add(event.eventId));
    const { refusals, plan } = await this.topic.check(
      client,
      accepted.map((a) => a.event),
    );
    const valid = accepted.filter((_, i) => refusals[i] === null);
    const refused = accepted.flatMap((a, i) => (refusals[i] === null ? [] : [{ ...a, reason: refusals[i]! }]));

    const recordKeys = await insertEvents(client, valid);
    const fresh = valid.filter((a) => recordKeys.has(a.event.eventId));
    const notInserted = valid.filter((a) => !recordKeys.has(a.event.eventId));
    // Not taken: the same event again (a duplicate, whatever the rules now say of it), or another
    // event claiming a stream position that is taken, a conflict the operator must see.
    const known = await existingEventIds(
      client,
      [...refused, ...notInserted].map((a) => a.event.eventId),
    );
    const rejected: Rejected[] = [
      ...refused.filter((a) => !known.has(a.event.eventId)).map(({ message, reason }) => ({ message, reason })),
      ...notInserted.filter((a) => !known.has(a.event.eventId)).map(({ message, event }) => ({ message, reason: TAKEN_POSITION(event) })),
    ];

    // Provider data of a state that has not pooled yet stays in the log, not projected; its first
    // grant projects it (pooling-release.ts). The share lock orders this against that grant.
    const pooled = this.topic.providerData ? await lockPooledProviders(client, [...new Set(fresh.map((a) => a.event.provider))]) : null;
    const taken = fresh
      .filter((a) => pooled === null || pooled.has(a.event.provider))
      .map(({ event }) => ({ event, recordKey: recordKeys.get(event.eventId)! }));
    await this.topic.project(client, taken, plan, recordKeys);
    return { fresh: fresh.map((a) => a.event), duplicates: known.size, rejected };
  }
}
