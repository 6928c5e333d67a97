import { OutboxForwarder } from '@caravanserai/event-store';
import { BrokerProbe } from '@caravanserai/messaging';
import { Allow, ApiResult, AppMetrics, METRICS_SCHEMA, PROMETHEUS_CONTENT_TYPE } from '@caravanserai/platform';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';

@ApiTags('health')
@Allow('admin')
@Controller('metrics')
export class MetricsController {
  private readonly databaseUp;
  private readonly brokerUp;
  private readonly backlog;
  private readonly published;
  private readonly lastPublish;
  private readonly publishFailing;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly forwarder: OutboxForwarder,
    private readonly broker: BrokerProbe,
    private readonly metrics: AppMetrics,
  ) {
    const labels = ['state'] as const;
    this.databaseUp = metrics.gauge('caravanserai_database_up', 'Whether PostgreSQL answers', labels);
    this.brokerUp = metrics.gauge('caravanserai_broker_up', 'Whether the Kafka cluster answers', labels);
    this.backlog = metrics.gauge('caravanserai_outbox_backlog', 'Events recorded but not yet acknowledged by Kafka', labels);
    this.published = metrics.counter('caravanserai_outbox_published_total', 'Events published by this process', labels);
    this.lastPublish = metrics.gauge('caravanserai_outbox_last_publish_timestamp_seconds', 'When this process last published', labels);
    this.publishFailing = metrics.gauge('caravanserai_outbox_publish_failing', '1 while publishing fails and is being retried', labels);
  }

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({
    operationId: 'getMetrics',
    summary:
      'Prometheus metrics: outbox backlog, events published, last publish, dependencies up; process (heap, RSS, event-loop lag, GC) and HTTP request durations per route',
  })
  @ApiResult(200, 'Prometheus metrics', null, { 'text/plain': METRICS_SCHEMA })
  async scrape(): Promise<string> {
    const backlog = await this.forwarder.backlog().catch(() => null);
    const broker = (await this.broker.check()).reachable ? 1 : 0;
    const { published, lastPublishedAt, lastError } = this.forwarder.stats;
    const labels = { state: this.config.NODE_STATE };
    const m = this.metrics;
    m.set(this.databaseUp, [{ labels, value: backlog === null ? 0 : 1 }]);
    m.set(this.brokerUp, [{ labels, value: broker }]);
    m.set(this.backlog, [{ labels, value: backlog }]);
    m.set(this.published, [{ labels, value: published }]);
    m.set(this.lastPublish, [{ labels, value: lastPublishedAt ? lastPublishedAt.getTime() / 1000 : null }]);
    m.set(this.publishFailing, [{ labels, value: lastError === null ? 0 : 1 }]);
    return m.render();
  }
}
