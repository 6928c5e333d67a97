import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { parseReferralEvent, ParseResult, ReferralEvent } from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { IncomingMessage, IngestResult, TransactionalIngest } from '../../infrastructure/batch-ingest.port';
import { Accepted, existingEventIds, insertEvents, quarantine, Rejected, storeOffsets, updateProviderStatus, lockPooledProviders } from '../../infrastructure/pg-ingest-support';
import { factsOf } from '../domain/referral-facts';
import { referralProviders, upsertReferralFacts } from './pg-referral-projection';

/**
 * Takes one batch of `referrals.v1` into the regional store, in one transaction: new events into
 * the regional log, their facts merged into `referral_facts` (one upsert), what is not a valid
 * event into the quarantine, and the next offset. The same batch twice changes nothing the second
 * time; events of one referral in any order end in the same row.
 */
export class ReferralIngest extends TransactionalIngest<ReferralEvent> {
  constructor(
    pool: Pool,
    protected readonly consumerGroup: string,
    verifier: EnvelopeVerifier,
  ) {
    super(pool, verifier);
  }

  protected parse(raw: Buffer | null): ParseResult<ReferralEvent> {
    return parseReferralEvent(raw);
  }

  /** The checked batch into the store, inside the caller's transaction (the consumer's, or the quarantine replay's). */
  protected async applyWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<ReferralEvent>[],
    { recordOffsets }: { recordOffsets: boolean },
  ): Promise<IngestResult & { rejections: Rejected[] }> {
    const accepted: Accepted<ReferralEvent>[] = [];
    const rejected: Rejected[] = [];
    const seen = new Set<string>();
    for (const [i, message] of messages.entries()) {
      const parsed = checked[i];
      if (!parsed.ok) rejected.push({ message, reason: parsed.reason });
      else if (!seen.has(parsed.event.eventId)) {
        seen.add(parsed.event.eventId);
        accepted.push({ event: parsed.event, message });
      }
    }

    // A referral belongs to the state that made it: another state's event on its stream is refused.
    const owners = await referralProviders(client, [...new Set(accepted.map((a) => a.event.streamId))]);
    const valid: Accepted<ReferralEvent>[] = [];
    for (const a of accepted) {
      const owner = owners.get(a.event.streamId);
      if (owner && owner !== a.event.provider) {
        rejected.push({ message: a.message, reason: `${a.event.type} by ${a.event.provider} on referral ${a.event.streamId} of ${owner}` });
      } else {
        owners.set(a.event.streamId, a.event.provider);
        valid.push(a);
      }
    }

    const inserted = await insertEvents(client, valid);
    const fresh = valid.filter((a) => inserted.has(a.event.eventId));
    const notInserted = valid.filter((a) => !inserted.has(a.event.eventId));
    const already = await existingEventIds(client, notInserted.map((a) => a.event.eventId));
    for (const a of notInserted) {
      if (!already.has(a.event.eventId)) {
        rejected.push({ message: a.message, reason: `stream position ${a.event.streamId}@${a.event.streamVersion} is taken by another event` });
      }
    }

    // Held until the provider's first agreement, like movements (see AgreementIngest).
    const pooled = await lockPooledProviders(client, [...new Set(fresh.map((a) => a.event.provider))]);
    await upsertReferralFacts(client, factsOf(fresh.filter((a) => pooled.has(a.event.provider)).map((a) => a.event)));
    await quarantine(client, rejected);
    await updateProviderStatus(client, fresh.map((a) => a.event));
    if (recordOffsets) await storeOffsets(client, this.consumerGroup, messages);
    return { received: messages.length, applied: fresh.length, duplicates: already.size, quarantined: rejected.length, rejections: rejected };
  }
}
