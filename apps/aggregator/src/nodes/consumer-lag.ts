import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';

export interface ConsumerLag {
  topics: string[];
  total: number | null;
  partitions: { topic: string; partition: number; highWatermark: number; projectedUpTo: number; lag: number }[];
  brokerReachable: boolean;
  error?: string;
}

/** Messages on the regional topics not yet projected: the high watermarks against the offsets
 * PostgreSQL holds (written with the projections, so this is what the regional picture is missing). */
export async function consumerLag(pool: Pool, kafka: Kafka, group: string, topics: string[]): Promise<ConsumerLag> {
  const { rows } = await pool.query<{ topic: string; kafka_partition: number; next_offset: string }>(
    'SELECT topic, kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = ANY($2::text[])',
    [group, topics],
  );
  const projected = new Map(rows.map((r) => [`${r.topic}:${r.kafka_partition}`, BigInt(r.next_offset)]));
  const admin = kafka.admin();
  try {
    await admin.connect();
    const partitions: ConsumerLag['partitions'] = [];
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        const high = BigInt(o.high);
        const next = projected.get(`${topic}:${o.partition}`) ?? BigInt(o.low);
        partitions.push({
          topic,
          partition: o.partition,
          highWatermark: Number(high),
          projectedUpTo: Number(next),
          lag: Number(high > next ? high - next : 0n),
        });
      }
    }
    return { topics, total: partitions.reduce((s, p) => s + p.lag, 0), partitions, brokerReachable: true };
  } catch (e) {
    return { topics, total: null, partitions: [], brokerReachable: false, error: (e as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
