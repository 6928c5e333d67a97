import { BrokerProbe } from '@caravanserai/messaging';
import { Allow, ApiResult, AppMetrics, METRICS_SCHEMA, PROMETHEUS_CONTENT_TYPE } from '@caravanserai/platform';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, regionalTopics } from '../config/aggregator.config';
import { ConsumerStatus } from '../kernel/ports/consumer-status';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';
import { QuarantineList } from '../kernel/ports/quarantine-list';
import { consumerLag } from './consumer-lag';

const seconds = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() / 1000 : null);

@ApiTags('health')
@Allow('admin')
@Controller('metrics')
export class MetricsController {
  private readonly gauges;
  private readonly counters;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly quarantine: QuarantineList,
    private readonly consumer: ConsumerStatus,
    private readonly broker: BrokerProbe,
    private readonly metrics: AppMetrics,
  ) {
    this.gauges = {
      databaseUp: metrics.gauge('caravanserai_database_up', 'Whether PostgreSQL answers'),
      brokerUp: metrics.gauge('caravanserai_broker_up', 'Whether the Kafka cluster answers'),
      lag: metrics.gauge('caravanserai_consumer_lag', 'Messages on the topic not yet in the projections, per partition', ['topic', 'partition']),
      quarantineOpen: metrics.gauge('caravanserai_quarantine_open', 'Quarantined messages not replayed'),
      quarantineReplayed: metrics.gauge('caravanserai_quarantine_replayed', 'Quarantined messages replayed'),
      projected: metrics.gauge('caravanserai_provider_events_projected', 'Events of each provider in the regional projections', ['provider']),
      lastRecorded: metrics.gauge('caravanserai_provider_last_event_recorded_timestamp_seconds', "When the provider's latest event was recorded at its node", [
        'provider',
      ]),
      lastReceived: metrics.gauge('caravanserai_provider_last_event_received_timestamp_seconds', "When the provider's latest event was projected here", [
        'provider',
      ]),
    };
    this.counters = {
      messages: metrics.counter('caravanserai_consumer_messages_total', 'Messages consumed by this process, by outcome', ['topic', 'outcome']),
      batches: metrics.counter('caravanserai_consumer_batches_total', 'Batches committed by this process', ['topic']),
    };
  }

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({
    operationId: 'getMetrics',
    summary:
      'Prometheus metrics: consumer lag, quarantine size, last event per provider, ingest counters, dependencies up; process (heap, RSS, event-loop lag, GC) and HTTP request durations per route',
  })
  @ApiResult(200, 'Prometheus metrics', null, { 'text/plain': METRICS_SCHEMA })
  async scrape(): Promise<string> {
    const database = await this.pool.query('SELECT 1').then(
      () => 1,
      () => 0,
    );
    const broker = (await this.broker.check()).reachable ? 1 : 0;
    const [lag, quarantine, providers] = database
      ? await Promise.all([
          consumerLag(this.pool, this.kafka, this.config.CONSUMER_GROUP, regionalTopics(this.config)),
          this.quarantine.counts(),
          this.pool.query('SELECT provider, events, last_recorded_at, last_received_at FROM provider_status ORDER BY provider').then((r) => r.rows),
        ])
      : [null, null, []];
    const stats = Object.entries(this.consumer.stats);
    const { gauges: g, counters: c, metrics: m } = this;
    m.set(g.databaseUp, [{ value: database }]);
    m.set(g.brokerUp, [{ value: broker }]);
    m.set(
      g.lag,
      (lag?.partitions ?? []).map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: p.lag })),
    );
    m.set(g.quarantineOpen, [{ value: quarantine?.open ?? null }]);
    m.set(g.quarantineReplayed, [{ value: quarantine?.replayed ?? null }]);
    m.set(
      g.projected,
      providers.map((r) => ({ labels: { provider: r.provider }, value: Number(r.events) })),
    );
    m.set(
      g.lastRecorded,
      providers.map((r) => ({ labels: { provider: r.provider }, value: seconds(r.last_recorded_at) })),
    );
    m.set(
      g.lastReceived,
      providers.map((r) => ({ labels: { provider: r.provider }, value: seconds(r.last_received_at) })),
    );
    m.set(
      c.messages,
      stats.flatMap(([topic, s]) => [
        { labels: { topic, outcome: 'applied' }, value: s.applied },
        { labels: { topic, outcome: 'duplicate' }, value: s.duplicates },
        { labels: { topic, outcome: 'quarantined' }, value: s.quarantined },
      ]),
    );
    m.set(
      c.batches,
      stats.map(([topic, s]) => ({ labels: { topic }, value: s.batches })),
    );
    return m.render();
  }
}
