import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';

export interface ConsumerLag {
  topic: string;
  total: number | null;
  partitions: { partition: number; highWatermark: number; projectedUpTo: number; lag: number }[];
  brokerReachable: boolean;
  error?: string;
}

/** Messages on the topic not yet projected: the high watermarks against the offsets PostgreSQL
 * holds (written with the projections, so this is what the regional picture is missing). */
export async function consumerLag(pool: Pool, kafka: Kafka, group: string, topic: string): Promise<ConsumerLag> {
  const { rows } = await pool.query<{ kafka_partition: number; next_offset: string }>(
    'SELECT kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
    [group, topic],
  );
  const projected = new Map(rows.map((r) => [r.kafka_partition, BigInt(r.next_offset)]));
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    const partitions = offsets.map((o) => {
      const high = BigInt(o.high);
      const low = BigInt(o.low);
      const next = projected.get(o.partition) ?? low;
      return { partition: o.partition, highWatermark: Number(high), projectedUpTo: Number(next), lag: Number(high > next ? high - next : 0n) };
    });
    return { topic, total: partitions.reduce((s, p) => s + p.lag, 0), partitions, brokerReachable: true };
  } catch (e) {
    return { topic, total: null, partitions: [], brokerReachable: false, error: (e as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
