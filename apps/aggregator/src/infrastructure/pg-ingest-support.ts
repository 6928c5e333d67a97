import type { PoolClient } from 'pg';
import type { IncomingMessage } from './batch-ingest.port';

export interface Rejected {
  message: IncomingMessage;
  reason: string;
}

/** Keeps what could not be taken in, with the reason; a message is quarantined once. */
export async function quarantine(client: PoolClient, rejected: Rejected[]): Promise<void> {
  if (rejected.length === 0) return;
  await client.query(
    `INSERT INTO quarantine (topic, kafka_partition, kafka_offset, message_key, payload, reason)
     SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (topic, kafka_partition, kafka_offset) DO NOTHING`,
    [
      rejected.map((r) => r.message.topic),
      rejected.map((r) => r.message.partition),
      rejected.map((r) => r.message.offset),
      rejected.map((r) => r.message.key),
      // Kept as text for inspection and replay; a NUL byte cannot be stored in text, so escape it.
      rejected.map((r) => (r.message.value === null ? null : r.message.value.toString('utf8').replace(/\u0000/g, '\\u0000'))),
      rejected.map((r) => r.reason),
    ],
  );
}

/** Records the next offset of each partition in the batch, in the batch's transaction. */
export async function storeOffsets(client: PoolClient, group: string, messages: IncomingMessage[]): Promise<void> {
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const m of messages) {
    const key = `${m.topic}:${m.partition}`;
    const offset = BigInt(m.offset) + 1n;
    const cur = next.get(key);
    if (!cur || offset > cur.offset) next.set(key, { topic: m.topic, partition: m.partition, offset });
  }
  const list = [...next.values()];
  await client.query(
    `INSERT INTO consumer_offsets (consumer_group, topic, kafka_partition, next_offset, updated_at)
     SELECT $1, t, p, o, now() FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, o)
     ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE SET
       next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [group, list.map((l) => l.topic), list.map((l) => l.partition), list.map((l) => l.offset.toString())],
  );
}
