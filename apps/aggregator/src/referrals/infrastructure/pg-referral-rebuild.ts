import { REFERRAL_EVENT_TYPES, ReferralEvent } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { Pool, PoolClient } from 'pg';
import { factsOf } from '../domain/referral-facts';
import { upsertReferralFacts } from './pg-referral-projection';
import type { RebuildProgress } from '../../infrastructure/rebuild-progress';

/**
 * Drops the referral projection and replays the referral events of the regional log into it,
 * with the same merge as the live consumer. One transaction, as the flows rebuild: queries see
 * the old projection until the new one is complete.
 */
export async function rebuildReferrals(pool: Pool, onProgress: (p: RebuildProgress) => void = () => {}, chunk = 50_000): Promise<RebuildProgress> {
  return inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE referral_facts IN ACCESS EXCLUSIVE MODE');
    await client.query('TRUNCATE referral_facts');
    return replayReferrals(client, { chunk, onProgress });
  });
}

/** Replays pooled providers' referral events (or one provider's, when its held events are
 * released) into the referral projection, in the caller's transaction. */
export async function replayReferrals(
  client: PoolClient,
  options: { provider?: string; chunk?: number; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const started = process.hrtime.bigint();
  const progress = (events: number, cells: number): RebuildProgress => ({ events, cells, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  const chunk = options.chunk ?? 50_000;
  {
    let after = 0;
    let events = 0;
    let rows = 0;
    for (;;) {
      const { rows: batch } = await client.query<{
        global_position: string;
        event_id: string;
        type: string;
        provider: string;
        stream_id: string;
        stream_version: number;
        occurred_on: string;
        data: unknown;
      }>(
        `SELECT global_position, event_id, type, provider, stream_id, stream_version, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, data
           FROM regional_events e JOIN provider_pool p USING (provider)
          WHERE p.pooled_at IS NOT NULL AND global_position > $1 AND type = ANY($2::text[]) AND ($4::text IS NULL OR provider = $4)
          ORDER BY global_position LIMIT $3`,
        [after, REFERRAL_EVENT_TYPES, chunk, options.provider ?? null],
      );
      if (batch.length === 0) break;
      const replayed = batch.map(
        (r) =>
          ({
            eventId: r.event_id,
            type: r.type,
            provider: r.provider,
            streamId: r.stream_id,
            streamVersion: r.stream_version,
            occurredOn: r.occurred_on,
            data: r.data,
          }) as ReferralEvent,
      );
      rows += await upsertReferralFacts(client, factsOf(replayed));
      events += batch.length;
      after = Number(batch[batch.length - 1].global_position);
      options.onProgress?.(progress(events, rows));
    }
    return progress(events, rows);
  }
}
