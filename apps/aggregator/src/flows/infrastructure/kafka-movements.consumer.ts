import { Logger } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import { IngestResult, RegionalIngest } from './pg-regional-ingest';

export interface ConsumerStats extends IngestResult {
  batches: number;
  lastBatchAt: Date | null;
  lastError: string | null;
}

/**
 * Consumes the movement topic as one consumer group. Each batch (one partition's messages) goes
 * through RegionalIngest in one PostgreSQL transaction, which also stores the next offsets; only
 * then is the offset committed to Kafka. Kafka's committed offset therefore never runs ahead of
 * the projections: after a crash the group resumes at or before what PostgreSQL holds, and what
 * it sees again is skipped by event id.
 */
export class KafkaMovementsConsumer {
  private readonly logger = new Logger('MovementsConsumer');
  private consumer: Consumer | null = null;
  readonly stats: ConsumerStats = { received: 0, applied: 0, duplicates: 0, quarantined: 0, batches: 0, lastBatchAt: null, lastError: null };

  constructor(
    private readonly kafka: Kafka,
    private readonly ingest: RegionalIngest,
    private readonly options: { groupId: string; topics: string[]; fromBeginning: boolean },
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.stats.lastError = payload.error.message;
      this.logger.error(`consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await consumer.run({
      // Only offsets resolved after the PostgreSQL commit are committed (every second, and on
      // rebalance or shutdown).
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        try {
          const result = await this.ingest.ingest(
            batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key ? m.key.toString('utf8') : null,
              value: m.value,
            })),
          );
          this.record(result);
        } catch (e) {
          this.stats.lastError = (e as Error).message;
          this.logger.warn(`batch of ${batch.messages.length} from ${batch.topic}[${batch.partition}] failed, will be retried: ${(e as Error).message}`);
          throw e;
        }
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private record(r: IngestResult): void {
    this.stats.received += r.received;
    this.stats.applied += r.applied;
    this.stats.duplicates += r.duplicates;
    this.stats.quarantined += r.quarantined;
    this.stats.batches += 1;
    this.stats.lastBatchAt = new Date();
    this.stats.lastError = null;
  }
}
