import { BrokerProbe } from '@caravanserai/messaging';
import { Allow, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '@caravanserai/platform';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig, regionalTopics } from '../config/aggregator.config';
import { KafkaRegionalConsumer } from '../infrastructure/kafka-regional.consumer';
import { KAFKA, PG_POOL } from '../infrastructure/tokens';
import { quarantineCounts } from '../quarantine/infrastructure/pg-quarantine-list';
import { consumerLag } from './consumer-lag';

const seconds = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() / 1000 : null);

@ApiTags('health')
@Allow('admin')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly consumer: KafkaRegionalConsumer,
    private readonly broker: BrokerProbe,
  ) {}

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics: consumer lag, quarantine size, last event per provider, ingest counters, dependencies up' })
  async metrics(): Promise<string> {
    const database = await this.pool.query('SELECT 1').then(() => 1, () => 0);
    const broker = (await this.broker.check()).reachable ? 1 : 0;
    const [lag, quarantine, providers] = database
      ? await Promise.all([
          consumerLag(this.pool, this.kafka, this.config.CONSUMER_GROUP, regionalTopics(this.config)),
          quarantineCounts(this.pool),
          this.pool.query('SELECT provider, events, last_recorded_at, last_received_at FROM provider_status ORDER BY provider').then((r) => r.rows),
        ])
      : [null, null, []];
    const stats = Object.entries(this.consumer.stats);
    return renderPrometheus([
      { name: 'caravanserai_database_up', help: 'Whether PostgreSQL answers', type: 'gauge', samples: [{ value: database }] },
      { name: 'caravanserai_broker_up', help: 'Whether the Kafka cluster answers', type: 'gauge', samples: [{ value: broker }] },
      {
        name: 'caravanserai_consumer_lag',
        help: 'Messages on the topic not yet in the projections, per partition',
        type: 'gauge',
        samples: (lag?.partitions ?? []).map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: p.lag })),
      },
      { name: 'caravanserai_quarantine_open', help: 'Quarantined messages not replayed', type: 'gauge', samples: [{ value: quarantine?.open ?? null }] },
      { name: 'caravanserai_quarantine_replayed', help: 'Quarantined messages replayed', type: 'gauge', samples: [{ value: quarantine?.replayed ?? null }] },
      {
        name: 'caravanserai_provider_events_projected',
        help: 'Events of each provider in the regional projections',
        type: 'gauge',
        samples: providers.map((r) => ({ labels: { provider: r.provider }, value: Number(r.events) })),
      },
      {
        name: 'caravanserai_provider_last_event_recorded_timestamp_seconds',
        help: "When the provider's latest event was recorded at its node",
        type: 'gauge',
        samples: providers.map((r) => ({ labels: { provider: r.provider }, value: seconds(r.last_recorded_at) })),
      },
      {
        name: 'caravanserai_provider_last_event_received_timestamp_seconds',
        help: "When the provider's latest event was projected here",
        type: 'gauge',
        samples: providers.map((r) => ({ labels: { provider: r.provider }, value: seconds(r.last_received_at) })),
      },
      {
        name: 'caravanserai_consumer_messages_total',
        help: 'Messages consumed by this process, by outcome',
        type: 'counter',
        samples: stats.flatMap(([topic, s]) => [
          { labels: { topic, outcome: 'applied' }, value: s.applied },
          { labels: { topic, outcome: 'duplicate' }, value: s.duplicates },
          { labels: { topic, outcome: 'quarantined' }, value: s.quarantined },
        ]),
      },
      { name: 'caravanserai_consumer_batches_total', help: 'Batches committed by this process', type: 'counter', samples: stats.map(([topic, s]) => ({ labels: { topic }, value: s.batches })) },
    ]);
  }
}
