import { Logger } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import type { BatchIngest } from '../infrastructure/batch-ingest.port';
import type { ConsumerStats, ConsumerStatus } from '../kernel/ports/consumer-status';

export type { ConsumerStats };

const emptyStats = (): ConsumerStats => ({
  received: 0,
  applied: 0,
  duplicates: 0,
  quarantined: 0,
  waiting: 0,
  batches: 0,
  lastBatchAt: null,
  lastError: null,
});

/**
 * Consumes the regional topics as one consumer group. Each batch (one partition's messages) goes
 * to the BatchIngest of its topic, which takes it in one PostgreSQL transaction together with the
 * next offsets; only then is the offset resolved for Kafka (committed every second and on
 * rebalance). Kafka's committed offset therefore never runs ahead of the projections: after a
 * crash the group resumes at or before what PostgreSQL holds, and what it sees again is skipped by
 * event id.
 */
export class KafkaRegionalConsumer implements ConsumerStatus {
  private readonly logger = new Logger('RegionalConsumer');
  private consumer: Consumer | null = null;
  /** `crashed` only when kafkajs gave up (a crash it does not restart from). */
  state: 'stopped' | 'running' | 'crashed' = 'stopped';
  private readonly statsByTopic: Record<string, ConsumerStats> = {};

  constructor(
    private readonly kafka: Kafka,
    readonly handlers: Map<string, BatchIngest>,
    private readonly options: { groupId: string; fromBeginning: boolean; sessionTimeout?: number; partitionsConcurrently?: number },
  ) {}

  /** Per topic: every topic in `handlers`, which its context may register after this is built
   * (RegionalTopics), counted from zero. */
  get stats(): Record<string, ConsumerStats> {
    for (const topic of this.handlers.keys()) this.statsByTopic[topic] ??= emptyStats();
    return this.statsByTopic;
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: this.options.sessionTimeout ?? 30_000,
      heartbeatInterval: Math.max(500, Math.floor((this.options.sessionTimeout ?? 30_000) / 10)),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error(`consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
      if (!payload.restart) this.state = 'crashed';
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning });
    this.state = 'running';
    await consumer.run({
      // Only offsets resolved after the PostgreSQL commit are committed.
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      // Batches of different partitions in their own transactions at once, so that one batch's
      // parsing overlaps another's PostgreSQL work; within a partition, batches stay in order.
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const handler = this.handlers.get(batch.topic)!;
        const stats = this.stats[batch.topic];
        try {
          const result = await handler.ingest(
            batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key ? m.key.toString('utf8') : null,
              value: m.value,
            })),
          );
          stats.received += result.received;
          stats.applied += result.applied;
          stats.duplicates += result.duplicates;
          stats.quarantined += result.quarantined;
          stats.waiting = (stats.waiting ?? 0) + (result.waiting ?? 0);
          stats.batches += 1;
          stats.lastBatchAt = new Date();
          stats.lastError = null;
        } catch (e) {
          stats.lastError = (e as Error).message;
          this.logger.warn(`batch of ${batch.messages.length} from ${batch.topic}[${batch.partition}] failed, will be retried: ${(e as Error).message}`);
          throw e;
        }
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  /** Leaves the group: kafkajs waits for the batch in flight (whose PostgreSQL transaction then
   * commits or rolls back as a whole) and commits the resolved offsets before disconnecting. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
    this.state = 'stopped';
  }
}
