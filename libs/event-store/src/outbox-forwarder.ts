import { Logger } from '@nestjs/common';
import { connectOutboxProducer } from '@caravanserai/messaging';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { rowToEnvelope } from './pg-event-store';

export interface ForwarderOptions {
  /** Most rows published in one round trip. */
  batchSize: number;
  /** How long to sleep when the outbox is empty and nobody woke the forwarder. */
  idleMs: number;
  /** Runs once before the first publish succeeds (e.g. making sure the topics exist);
   * retried with the publish until it succeeds. */
  beforeFirstPublish?: () => Promise<void>;
}

export interface ForwarderStats {
  published: number;
  lastPublishedAt: Date | null;
  lastError: string | null;
}

/**
 * Publishes the outbox to Kafka. Each round locks a batch of rows (`FOR UPDATE SKIP LOCKED`, so
 * two instances of a node never publish the same row at once), sends them with an idempotent
 * producer keyed by stream, and deletes them in the same transaction once the broker has
 * acknowledged. If the process dies between the acknowledgement and the commit, the rows are
 * published again: delivery is at least once, and the aggregator deduplicates by event id.
 */
export class OutboxForwarder {
  private readonly logger = new Logger('OutboxForwarder');
  private producer: Producer | null = null;
  private prepared = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  readonly stats: ForwarderStats = { published: 0, lastPublishedAt: null, lastError: null };

  constructor(
    private readonly pool: Pool,
    private readonly kafka: Kafka,
    private readonly options: ForwarderOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit that wrote outbox rows, so they leave without waiting for the poll. */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  async backlog(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
    return Number(rows[0].n);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const sent = await this.forwardOnce();
        failures = 0;
        this.stats.lastError = null;
        if (sent < this.options.batchSize) await this.sleep(this.options.idleMs);
      } catch (e) {
        failures += 1;
        this.stats.lastError = (e as Error).message;
        this.logger.warn(`publishing failed (${failures} in a row), will retry: ${(e as Error).message}`);
        // A producer that lost its broker is rebuilt rather than trusted to recover.
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = null;
        await this.sleep(Math.min(200 * 2 ** Math.min(failures, 5), 5_000));
      }
    }
  }

  /** One round; returns how many events went out. */
  async forwardOnce(): Promise<number> {
    const client = await this.pool.connect();
    // A connection lost while checked out is emitted on the client; unheard, it would crash the
    // process (PostgreSQL restarting). The statement in flight fails with it and the round retries.
    const onError = () => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT o.id, o.topic, o.message_key, e.event_id, e.type, e.schema_version, e.provider, e.stream_id,
                e.stream_version, to_char(e.occurred_on, 'YYYY-MM-DD') AS occurred_on, e.recorded_at, e.data, e.key_id, e.signature, e.proof
           FROM outbox o JOIN events e ON e.global_position = o.global_position
          ORDER BY o.id
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const row of rows) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({ key: row.message_key, value: JSON.stringify(rowToEnvelope(row)), headers: { type: row.type } });
        byTopic.set(row.topic, messages);
      }
      const producer = await this.connectedProducer();
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      await client.query('COMMIT');
      this.stats.published += rows.length;
      this.stats.lastPublishedAt = new Date();
      return rows.length;
    } catch (e) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken ? true : undefined);
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.prepared && this.options.beforeFirstPublish) {
      await this.options.beforeFirstPublish();
      this.prepared = true;
    }
    if (!this.producer) {
      this.producer = await connectOutboxProducer(this.kafka);
    }
    return this.producer;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
