import type { EventEnvelope, ParseResult } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import type { Pool, PoolClient } from 'pg';
import type { IncomingMessage, NotEarlier, ReplayableIngest } from './batch-ingest.port';

/**
 * Events of a version newer than this aggregator knows (docs/events.md, "Versioning"). They are
 * neither bad nor dropped: they wait in `awaiting_upgrade`, bytes as published, and so does every
 * later event of their stream, so that nothing overtakes them (a retraction, version 1, of a
 * movement that waits, version 2, is neither quarantined as "of an unknown movement" nor applied
 * before the movement). An aggregator that knows the version takes them in at start, in order,
 * through the same ingest (`replayAwaiting`).
 */

export const BEHIND_A_WAITING_EVENT = 'behind an event of its stream that waits for an upgrade';

/** Which messages of the batch must wait (indexes), written to `awaiting_upgrade` in batch order. */
export async function holdBack(
  client: PoolClient,
  messages: IncomingMessage[],
  checked: ParseResult<EventEnvelope>[],
  notEarlier: NotEarlier = null,
): Promise<Set<number>> {
  const held = new Set<number>();
  const newer = checked.some((c) => !c.ok && c.awaits);
  const streams = [...new Set(checked.flatMap((c) => (c.ok ? [c.event.streamId] : [])))];
  const waiting = new Set<string>();
  if (streams.length > 0) {
    const { rows } = await client.query<{ stream_id: string }>(
      `SELECT DISTINCT stream_id FROM awaiting_upgrade
        WHERE stream_id = ANY($1::text[]) AND ($2::bigint IS NULL OR id < $2 OR id > $3)`,
      [streams, notEarlier?.from ?? null, notEarlier?.to ?? null],
    );
    for (const r of rows) waiting.add(r.stream_id);
  }
  if (!newer && waiting.size === 0) return held;
  const rows: Record<string, unknown>[] = [];
  checked.forEach((c, i) => {
    const m = messages[i];
    const what = !c.ok ? c.awaits : waiting.has(c.event.streamId) ? c.event : undefined;
    if (!what || m.value === null) return;
    waiting.add(what.streamId);
    held.add(i);
    rows.push({
      topic: m.topic,
      kafka_partition: m.partition,
      kafka_offset: m.offset,
      message_key: m.key,
      payload: m.value.toString('base64'),
      event_id: what.eventId,
      type: what.type,
      schema_version: what.schemaVersion,
      provider: what.provider,
      stream_id: what.streamId,
      reason: c.ok ? BEHIND_A_WAITING_EVENT : c.reason,
    });
  });
  await client.query(
    `INSERT INTO awaiting_upgrade (topic, kafka_partition, kafka_offset, message_key, payload, event_id, type, schema_version, provider, stream_id, reason)
     SELECT topic, kafka_partition, kafka_offset, message_key, decode(payload, 'base64'), event_id, type, schema_version, provider, stream_id, reason
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (topic text, kafka_partition int, kafka_offset bigint, message_key text, payload text, event_id uuid,
                                                         type text, schema_version int, provider text, stream_id text, reason text))
            WITH ORDINALITY AS t(topic, kafka_partition, kafka_offset, message_key, payload, event_id, type, schema_version, provider, stream_id, reason, n)
      ORDER BY n
     ON CONFLICT (topic, kafka_partition, kafka_offset) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return held;
}

const CHUNK = 1000;

/**
 * Takes in what waits on `topic`, oldest first, in chunks of one transaction each, through the
 * ingest's own path (schema, signature, the topic's rules; offsets untouched). What this
 * aggregator still cannot read waits again, behind nothing it has replayed. Run at start, before the
 * consumer: what waits came before anything the consumer reads next.
 */
export async function replayAwaiting(pool: Pool, topic: string, ingest: ReplayableIngest): Promise<{ replayed: number; stillWaiting: number }> {
  const { rows: bounds } = await pool.query<{ last: string | null }>('SELECT max(id) AS last FROM awaiting_upgrade WHERE topic = $1', [topic]);
  const last = bounds[0].last === null ? 0 : Number(bounds[0].last);
  let replayed = 0;
  let stillWaiting = 0;
  for (let after = 0; after < last;) {
    const done = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string; kafka_partition: number; kafka_offset: string; message_key: string | null; payload: Buffer }>(
        `DELETE FROM awaiting_upgrade WHERE id IN (
           SELECT id FROM awaiting_upgrade WHERE topic = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT ${CHUNK} FOR UPDATE)
         RETURNING id, kafka_partition, kafka_offset, message_key, payload`,
        [topic, after, last],
      );
      if (rows.length === 0) return null;
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      const messages: IncomingMessage[] = rows.map((r) => ({
        topic,
        partition: r.kafka_partition,
        offset: r.kafka_offset,
        key: r.message_key,
        value: r.payload,
      }));
      // Rows after this chunk (up to `last`) came later; rows waiting again (after `last`) came earlier.
      const result = await ingest.ingestWithin(client, messages, { recordOffsets: false, notEarlier: { from: Number(rows[0].id), to: last } });
      return { upTo: Number(rows[rows.length - 1].id), waiting: result.waiting ?? 0, n: rows.length };
    });
    if (!done) break;
    after = done.upTo;
    replayed += done.n - done.waiting;
    stillWaiting += done.waiting;
  }
  return { replayed, stillWaiting };
}

/** What waits, per provider, type and version: for GET /v1/nodes. */
export async function awaitingCounts(
  pool: Pool,
  provider: string | null,
): Promise<{ provider: string; type: string; schemaVersion: number; events: number }[]> {
  const { rows } = await pool.query<{ provider: string; type: string; schema_version: number; events: string }>(
    `SELECT provider, type, schema_version, count(*) AS events FROM awaiting_upgrade
      WHERE $1::text IS NULL OR provider = $1 GROUP BY provider, type, schema_version ORDER BY provider, type, schema_version`,
    [provider],
  );
  return rows.map((r) => ({ provider: r.provider, type: r.type, schemaVersion: r.schema_version, events: Number(r.events) }));
}
