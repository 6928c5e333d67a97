import type { IngestResult } from '../../infrastructure/batch-ingest.port';

/** What the regional consumer has done in this process, per topic. */
export interface ConsumerStats extends IngestResult {
  batches: number;
  lastBatchAt: Date | null;
  lastError: string | null;
}

/** The regional consumer's state as health, node status, the metrics and surge detection read
 * it. Provided by the ingest wiring (KafkaRegionalConsumer, IngestModule). */
export abstract class ConsumerStatus {
  /** `crashed` only when kafkajs gave up (a crash it does not restart from). */
  abstract readonly state: 'stopped' | 'running' | 'crashed';
  /** Per topic. */
  abstract readonly stats: Record<string, ConsumerStats>;
}
