import { inTransaction } from '@caravanserai/database';
import type { Pool } from 'pg';
import type { ReplayableIngest } from '../../infrastructure/batch-ingest.port';

export type ReplayOutcome =
  | { status: 'applied' | 'duplicate'; id: number }
  | { status: 'rejected'; id: number; reason: string }
  | { status: 'not_found' | 'already_replayed'; id: number };

/**
 * Re-runs one quarantined message through the same ingest as the consumer, in one transaction
 * with the mark on the quarantine row: either the event is in the regional log and projections
 * and the row says replayed, or nothing changed. `fixedPayload` replaces the message as received
 * (a corrected field, say); without it the message is re-run as it was (a retraction whose
 * movement has arrived since). Offsets are left alone: the message was consumed long ago.
 */
/** Each regional topic's ingest, by the topic's contract name. */
export type ReplayIngests = Record<string, ReplayableIngest>;

export async function replayQuarantined(pool: Pool, ingests: ReplayIngests, id: number, fixedPayload?: string): Promise<ReplayOutcome> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query(
      'SELECT id, topic, kafka_partition, kafka_offset, message_key, payload, replayed_at FROM quarantine WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (rows.length === 0) return { status: 'not_found', id };
    const row = rows[0];
    if (row.replayed_at) return { status: 'already_replayed', id };
    // The ingest of the message's topic (its name may carry a deployment's prefix).
    const ingest = Object.entries(ingests).find(([base]) => String(row.topic).endsWith(base))?.[1];
    if (!ingest) return { status: 'rejected', id, reason: `no ingest step for topic ${row.topic}` };
    const payload: string | null = fixedPayload ?? row.payload;
    await client.query('SAVEPOINT replay');
    const result = await ingest.ingestWithin(
      client,
      [
        {
          topic: row.topic,
          partition: row.kafka_partition,
          offset: String(row.kafka_offset),
          key: row.message_key,
          value: payload === null ? null : Buffer.from(payload, 'utf8'),
        },
      ],
      { recordOffsets: false },
    );
    if (result.rejections.length > 0) {
      await client.query('ROLLBACK TO SAVEPOINT replay');
      return { status: 'rejected', id, reason: result.rejections[0].reason };
    }
    const status = result.applied === 1 ? 'applied' : 'duplicate';
    await client.query('UPDATE quarantine SET replayed_at = now(), replay_outcome = $2, replayed_payload = $3 WHERE id = $1', [
      id,
      status,
      fixedPayload ?? null,
    ]);
    return { status, id };
  });
}
