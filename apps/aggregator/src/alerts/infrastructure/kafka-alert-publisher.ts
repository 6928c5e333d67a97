import { Logger } from '@nestjs/common';
import { connectOutboxProducer } from '@caravanserai/messaging';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';

/**
 * Publishes the alert outbox on alerts.v1: locks a batch (`SKIP LOCKED`, so two instances never
 * send the same row at once), sends it with an idempotent producer keyed by the alert's stream
 * (its events stay in order on one partition), deletes the rows once the broker acknowledged.
 * A crash between the acknowledgement and the commit sends them again: at least once, and
 * consumers deduplicate by eventId.
 */
export class KafkaAlertPublisher {
  private readonly logger = new Logger('AlertPublisher');
  private producer: Producer | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  /** Sends everything waiting; returns how many envelopes went out. */
  async drain(batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.publishOnce(batchSize);
      total += sent;
      if (sent < batchSize) return total;
    }
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  private async publishOnce(batchSize: number): Promise<number> {
    const client = await this.pool.connect();
    const onError = () => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; message_key: string; envelope: { type: string } }>(
        'SELECT id, message_key, envelope FROM alert_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batchSize],
      );
      if (rows.length > 0) {
        const producer = await this.connected();
        await producer.send({
          topic: this.topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: rows.map((r) => ({ key: r.message_key, value: JSON.stringify(r.envelope), headers: { type: r.envelope.type } })),
        });
        await client.query('DELETE FROM alert_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (e) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      // A producer that lost its broker is rebuilt rather than trusted to recover.
      await this.stop();
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken ? true : undefined);
    }
  }

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      this.producer = await connectOutboxProducer(this.kafka);
      this.logger.log(`publishing alerts on ${this.topic}`);
    }
    return this.producer;
  }
}
