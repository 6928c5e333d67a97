import type { EnvelopeVerifier } from '@caravanserai/crypto';
import { MessageBody, parseReferralEvent, ParseResult, ReferralEvent } from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { Checked, IngestPipeline, IngestTopic, Taken } from '../../infrastructure/ingest-pipeline';
import { PoolingRelease } from '../../infrastructure/pooling-release';
import { replayReferrals } from './pg-referral-rebuild';
import { factsOf } from '../domain/referral-facts';
import { referralProviders, upsertReferralFacts } from './pg-referral-projection';

/**
 * What is the referrals' own in their ingest: a referral belongs to the state that made it, so
 * another state's event on its stream is refused; the taken events' facts are merged into
 * `referral_facts` (one upsert), so that events of one referral in any order end in the same row.
 */
export class ReferralTopic implements IngestTopic<ReferralEvent, void> {
  readonly providerData = true;
  readonly oneAtATime = false;

  parse(raw: MessageBody): ParseResult<ReferralEvent> {
    return parseReferralEvent(raw);
  }

  async check(client: PoolClient, events: ReferralEvent[]): Promise<Checked<void>> {
    const owners = await referralProviders(client, [...new Set(events.map((e) => e.streamId))]);
    const refusals = events.map((e) => {
      const owner = owners.get(e.streamId);
      if (owner && owner !== e.provider) return `${e.type} by ${e.provider} on referral ${e.streamId} of ${owner}`;
      owners.set(e.streamId, e.provider);
      return null;
    });
    return { refusals, plan: undefined };
  }

  async project(client: PoolClient, taken: Taken<ReferralEvent>[]): Promise<void> {
    await upsertReferralFacts(client, factsOf(taken.map((t) => t.event)));
  }

  /** A provider's held referral events into the referral projection, when it pools (PoolingRelease). */
  releaseHeld(client: PoolClient, provider: string): Promise<{ events: number }> {
    return replayReferrals(client, { provider });
  }
}

/**
 * The referrals' ingest (`referrals.v1`): the ingest pipeline with the referrals' topic part. It
 * registers the referral projection for the pooling release.
 */
export class ReferralIngest extends IngestPipeline<ReferralEvent, void> {
  constructor(pool: Pool, consumerGroup: string, verifier: EnvelopeVerifier, pooling: PoolingRelease) {
    const topic = new ReferralTopic();
    super(topic, pool, consumerGroup, verifier);
    pooling.register('referrals', (client, provider) => topic.releaseHeld(client, provider));
  }
}
