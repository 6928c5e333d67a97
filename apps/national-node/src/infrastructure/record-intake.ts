import { EventEnvelope } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { claimRecordIds, OutboxForwarder, PgEventStore, recordIdDigest } from '@caravanserai/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from './tokens';

/** What one new record becomes: the event that opens its stream, and the id a client is answered
 * with for it now and on every repeat (`record_ids` keeps it). */
export interface IntakeCandidate {
  event: EventEnvelope;
  answerId: string;
}

export interface IntakeResult {
  /** The id answered for the record: the one stored first for its recordId. */
  id: string;
  status: 'accepted' | 'duplicate';
}

/**
 * The node's one idempotent batch intake (POST /v1/movements, POST /v1/referrals): each record is
 * turned into its event in memory first (`candidateOf`, called once per distinct recordId, in batch
 * order: the first of a repeated recordId wins), then one transaction claims every recordId's
 * digest in `record_ids` (ON CONFLICT DO NOTHING: the ones not claimed are duplicates, answered
 * with the id stored first) and appends the fresh events with their outbox rows. The forwarder is
 * woken after the commit.
 */
@Injectable()
export class RecordIntake {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async take<R extends { recordId: string }>(
    kind: string,
    records: readonly R[],
    candidateOf: (record: R, recordIdDigest: string) => IntakeCandidate,
    topic: string,
  ): Promise<IntakeResult[]> {
    const digests = records.map((r) => recordIdDigest(r.recordId));
    // The answer ids are kept for the reply; the events only until they are appended, so that a
    // batch's envelopes are not held (and promoted by the garbage collector) across its commit.
    const answerIds = new Map<string, string>();
    let events: EventEnvelope[] = [];
    records.forEach((record, i) => {
      if (answerIds.has(digests[i])) return;
      const candidate = candidateOf(record, digests[i]);
      answerIds.set(digests[i], candidate.answerId);
      events.push(candidate.event);
    });
    const claim = await inTransaction(this.pool, async (client) => {
      const claimed = await claimRecordIds(client, kind, answerIds);
      // `answerIds` and `events` are in the same order: the first occurrence of each digest.
      let j = 0;
      const fresh: EventEnvelope[] = [];
      for (const digest of answerIds.keys()) {
        if (claimed.fresh.has(digest)) fresh.push(events[j]);
        j++;
      }
      events = [];
      await this.store.append(client, fresh, topic);
      return claimed;
    });
    this.forwarder.notify();
    const reported = new Set<string>();
    return digests.map((d) => {
      const firstTime = claim.fresh.has(d) && !reported.has(d);
      reported.add(d);
      return { id: claim.fresh.has(d) ? answerIds.get(d)! : claim.known.get(d)!, status: firstTime ? 'accepted' : 'duplicate' };
    });
  }
}
