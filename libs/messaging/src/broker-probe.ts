import { Kafka, logLevel } from 'kafkajs';
import { KafkaSecurity, kafkaSecurityFromEnv } from './kafka-security';

export interface BrokerProbeResult {
  reachable: boolean;
  brokers?: number;
  error?: string;
  checkedAt: Date;
}

/**
 * Tells whether the Kafka cluster answers, for readiness: one metadata round trip with no retry
 * and short timeouts, so that a dead cluster is reported in about a second instead of after the
 * client's own minute of retries. Answers are cached for `cacheMs` so that a busy probe endpoint
 * does not hammer the brokers.
 */
export class BrokerProbe {
  private readonly kafka: Kafka;
  private last: BrokerProbeResult | null = null;
  private inFlight: Promise<BrokerProbeResult> | null = null;

  constructor(
    brokers: string[],
    private readonly cacheMs = 2_000,
    security: KafkaSecurity = kafkaSecurityFromEnv(),
  ) {
    this.kafka = new Kafka({
      clientId: 'caravanserai-readiness',
      brokers,
      ...security,
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  async check(): Promise<BrokerProbeResult> {
    if (this.last && Date.now() - this.last.checkedAt.getTime() < this.cacheMs) return this.last;
    this.inFlight ??= this.probe().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async probe(): Promise<BrokerProbeResult> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      this.last = { reachable: true, brokers: cluster.brokers.length, checkedAt: new Date() };
    } catch (e) {
      this.last = { reachable: false, error: (e as Error).message, checkedAt: new Date() };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return this.last;
  }
}
