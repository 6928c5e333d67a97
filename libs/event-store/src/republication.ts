import type { Pool } from 'pg';

/** Where a stream's events go: every stream id starting with `streamPrefix` is published on `topic`. */
export interface StreamTopic {
  streamPrefix: string;
  topic: string;
}

export interface Republication {
  /** Outbox rows written: every event of the listed streams, once. */
  queued: number;
  /** Per topic. */
  byTopic: Record<string, number>;
  /** Every event the store holds (events of streams no topic takes are not queued). */
  events: number;
  /** How long appends waited on the lock, at most (ms): the time the copy took. */
  lockedMs: number;
}

/**
 * Queues every event the store holds for publication again, in global-position order (so each
 * stream in stream order), into the outbox the forwarder already drains: the events leave through
 * its idempotent, one-request-in-flight producer, keyed by stream, exactly as stored and signed
 * (the forwarder reads the stored envelope and its signature; nothing is re-signed). The aggregator
 * skips event ids it holds, so a second copy reaches no projection twice.
 *
 * Ingest goes on: the copy takes `SHARE` on `events` for its one INSERT … SELECT, which lets
 * readers in and makes appends wait (not fail) until it commits. That wait is what keeps each
 * stream in order on the topic: an append that committed before holds outbox rows below the
 * copy's, one that commits after gets rows above them, so no later event of a stream (a
 * retraction, a referral's next step) can be published between the copies of its predecessors.
 */
export async function queueRepublication(pool: Pool, routes: StreamTopic[]): Promise<Republication> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const started = Date.now();
    await client.query('LOCK TABLE events IN SHARE MODE');
    const { rows } = await client.query<{ topic: string; n: string }>(
      `WITH queued AS (
         INSERT INTO outbox (global_position, topic, message_key)
         SELECT e.global_position, r.topic, e.stream_id
           FROM events e JOIN unnest($1::text[], $2::text[]) AS r(prefix, topic) ON starts_with(e.stream_id, r.prefix)
          ORDER BY e.global_position
         RETURNING topic
       )
       SELECT topic, count(*) AS n FROM queued GROUP BY topic`,
      [routes.map((r) => r.streamPrefix), routes.map((r) => r.topic)],
    );
    const { rows: total } = await client.query<{ n: string }>('SELECT count(*) AS n FROM events');
    await client.query('COMMIT');
    const byTopic = Object.fromEntries(rows.map((r) => [r.topic, Number(r.n)]));
    return { queued: rows.reduce((s, r) => s + Number(r.n), 0), byTopic, events: Number(total[0].n), lockedMs: Date.now() - started };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
