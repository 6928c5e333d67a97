import { feedTopicName } from '@caravanserai/contracts';
import { ensureTopics } from '@caravanserai/messaging';
import { Logger } from '@nestjs/common';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { readFeedItems } from '../../infrastructure/pg-feed-items';
import { backoffMs } from '../domain/standard-webhook';
import { PollingWorker } from './polling-worker';

export interface FeedRelaySettings {
  topicPrefix: string;
  replicationFactor: number;
  retentionMs: number;
  pollMs: number;
  batch: number;
  /** The largest item a recipient's topic takes (its max.message.bytes). */
  maxMessageBytes: number;
  /** How long a recipient whose batch failed waits before the next try: full jitter, doubling up to the maximum. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** Items sent together up to this many bytes; a larger item goes alone, up to maxMessageBytes. */
const SEND_BYTES = 1024 * 1024;
/** What Kafka adds to a record batch of one record, besides its key, value and headers (bounded loosely). */
const BATCH_OVERHEAD_BYTES = 1024;

/** The Kafka header that names an item's kind, so a consumer can filter without parsing. */
export const KIND_HEADER = 'caravanserai-kind';

/**
 * Writes each recipient's feed items, in order, to its own topic (one partition; key = item id,
 * value = the item JSON), and keeps how far it got in feed_kafka_progress. A batch is sent and
 * acknowledged by every in-sync replica before its progress is committed, in one transaction that
 * holds the recipient's progress row (FOR UPDATE SKIP LOCKED): two aggregators never write one
 * recipient's topic at once, a restart resumes after the last committed batch, and a crash between
 * the acknowledgement and the commit sends that batch again (at least once, same keys). Items come
 * through readFeedItems: one under an agreement no longer in force is never written.
 */
export class KafkaFeedRelay {
  /** Items written by this process, per recipient (for /metrics). */
  readonly stats = new Map<string, number>();
  /** Recipients whose last batch failed: how many times in a row, and not tried again before `retryAt`. */
  readonly held = new Map<string, { failures: number; retryAt: number; reason: string }>();
  private readonly logger = new Logger('FeedKafkaRelay');
  private readonly worker: PollingWorker;
  private readonly ensured = new Set<string>();
  private producer: Producer | null = null;
  private admin: Admin | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly kafka: Kafka,
    private readonly settings: FeedRelaySettings,
  ) {
    this.worker = new PollingWorker(
      () => this.pass(),
      settings.pollMs,
      (e) => this.logger.error(`relay pass failed: ${(e as Error).message}`),
    );
  }

  async start(): Promise<void> {
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
    await Promise.all([this.producer.connect(), this.admin.connect()]);
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await Promise.all([this.producer?.disconnect(), this.admin?.disconnect()]);
    this.producer = this.admin = null;
  }

  topicOf(recipient: string): string {
    return feedTopicName(recipient, this.settings.topicPrefix);
  }

  /** Every recipient with items past its progress (a loose index scan over the recipients). */
  private async pass(): Promise<boolean> {
    const { rows } = await this.pool.query(
      `WITH RECURSIVE r AS (
         (SELECT recipient FROM feed_items ORDER BY recipient LIMIT 1)
         UNION ALL
         SELECT (SELECT f.recipient FROM feed_items f WHERE f.recipient > r.recipient ORDER BY f.recipient LIMIT 1) FROM r WHERE r.recipient IS NOT NULL)
       SELECT r.recipient FROM r LEFT JOIN feed_kafka_progress p USING (recipient)
        WHERE r.recipient IS NOT NULL
          AND EXISTS (SELECT 1 FROM feed_items f WHERE f.recipient = r.recipient AND f.seq > coalesce(p.relayed_seq, 0))`,
    );
    let busy = false;
    for (const { recipient } of rows) {
      if (this.worker.stopping.aborted) break;
      const held = this.held.get(recipient);
      if (held && held.retryAt > Date.now()) continue;
      try {
        if (await this.relay(recipient)) busy = true;
        this.held.delete(recipient);
      } catch (e) {
        // One recipient's trouble (its topic refused, an item too large) holds back only that
        // recipient, and only until its next try: each try reads and encodes the batch again.
        const failures = (held?.failures ?? 0) + 1;
        const reason = (e as Error).message;
        this.held.set(recipient, { failures, retryAt: Date.now() + backoffMs(failures, this.settings.backoffBaseMs, this.settings.backoffMaxMs), reason });
        this.logger.error(`${this.topicOf(recipient)}: ${reason} (try ${failures})`);
      }
    }
    return busy;
  }

  /** One batch of one recipient; false when another aggregator holds it or nothing was pending. */
  private async relay(recipient: string): Promise<boolean> {
    await this.pool.query(`INSERT INTO feed_kafka_progress (recipient) VALUES ($1) ON CONFLICT DO NOTHING`, [recipient]);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(`SELECT relayed_seq::text AS seq FROM feed_kafka_progress WHERE recipient = $1 FOR UPDATE SKIP LOCKED`, [recipient]);
      if (!rows[0]) {
        await client.query('COMMIT');
        return false;
      }
      // Read before the items: when the batch is not full, every item up to here was either read or
      // withheld, and progress may move past the withheld ones.
      const { rows: newest } = await client.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM feed_items WHERE recipient = $1`, [recipient]);
      const items = await readFeedItems(client, recipient, BigInt(rows[0].seq), this.settings.batch);
      if (items.length > 0) {
        const topic = this.topicOf(recipient);
        await this.ensureTopic(topic);
        for (const messages of this.sends(items.map(({ item }) => ({ key: item.id, value: JSON.stringify(item), headers: { [KIND_HEADER]: item.kind } }))))
          await this.producer!.send({ topic, acks: -1, messages });
      }
      const last = items.length > 0 ? BigInt(items[items.length - 1].cursor) : 0n;
      const upTo = items.length < this.settings.batch && BigInt(newest[0].seq) > last ? BigInt(newest[0].seq) : last;
      await client.query(
        `UPDATE feed_kafka_progress SET relayed_seq = greatest(relayed_seq, $2::bigint), relayed_count = relayed_count + $3, updated_at = now() WHERE recipient = $1`,
        [recipient, upTo.toString(), items.length],
      );
      await client.query('COMMIT');
      this.stats.set(recipient, (this.stats.get(recipient) ?? 0) + items.length);
      return items.length > 0;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * The batch's messages as produce requests of up to SEND_BYTES each, in order (a larger item
   * alone). An item the topic cannot take is refused here, before anything of the batch is sent,
   * naming it: the recipient waits at it (GET /v1/feed still serves it) until the operator raises
   * FEED_KAFKA_MAX_MESSAGE_BYTES.
   */
  private *sends<M extends { key: string; value: string }>(messages: M[]): Generator<M[]> {
    const size = (m: M) => Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + 64;
    const tooLarge = messages.find((m) => size(m) + BATCH_OVERHEAD_BYTES > this.settings.maxMessageBytes);
    if (tooLarge) {
      throw new Error(`item ${tooLarge.key} takes ${size(tooLarge)} bytes, more than FEED_KAFKA_MAX_MESSAGE_BYTES (${this.settings.maxMessageBytes}) allows`);
    }
    let chunk: M[] = [];
    let bytes = 0;
    for (const m of messages) {
      if (chunk.length > 0 && bytes + size(m) > SEND_BYTES) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size(m);
    }
    if (chunk.length > 0) yield chunk;
  }

  /** One partition keeps the recipient's order; created here on first use (under ACLs the
   * aggregator may create topics under the feed prefix only, docs/kafka-security.md), with room for
   * an item larger than the broker's default message size (a year's answer at a fine level is
   * several megabytes); an existing topic's settings are brought to these. */
  private async ensureTopic(topic: string): Promise<void> {
    if (this.ensured.has(topic)) return;
    await ensureTopics(
      this.admin!,
      [
        {
          topic,
          numPartitions: 1,
          config: { 'cleanup.policy': 'delete', 'retention.ms': String(this.settings.retentionMs), 'max.message.bytes': String(this.settings.maxMessageBytes) },
        },
      ],
      this.settings.replicationFactor,
    );
    this.ensured.add(topic);
  }
}
