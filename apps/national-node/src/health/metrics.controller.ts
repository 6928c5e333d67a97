import { OutboxForwarder } from '@caravanserai/event-store';
import { BrokerProbe } from '@caravanserai/messaging';
import { Allow, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '@caravanserai/platform';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';

@ApiTags('health')
@Allow('admin')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly forwarder: OutboxForwarder,
    private readonly broker: BrokerProbe,
  ) {}

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics: outbox backlog, events published, last publish, dependencies up' })
  async metrics(): Promise<string> {
    const backlog = await this.forwarder.backlog().catch(() => null);
    const broker = (await this.broker.check()).reachable ? 1 : 0;
    const { published, lastPublishedAt, lastError } = this.forwarder.stats;
    const state = { state: this.config.NODE_STATE };
    return renderPrometheus([
      { name: 'caravanserai_database_up', help: 'Whether PostgreSQL answers', type: 'gauge', samples: [{ labels: state, value: backlog === null ? 0 : 1 }] },
      { name: 'caravanserai_broker_up', help: 'Whether the Kafka cluster answers', type: 'gauge', samples: [{ labels: state, value: broker }] },
      { name: 'caravanserai_outbox_backlog', help: 'Events recorded but not yet acknowledged by Kafka', type: 'gauge', samples: [{ labels: state, value: backlog }] },
      { name: 'caravanserai_outbox_published_total', help: 'Events published by this process', type: 'counter', samples: [{ labels: state, value: published }] },
      {
        name: 'caravanserai_outbox_last_publish_timestamp_seconds',
        help: 'When this process last published',
        type: 'gauge',
        samples: [{ labels: state, value: lastPublishedAt ? lastPublishedAt.getTime() / 1000 : null }],
      },
      { name: 'caravanserai_outbox_publish_failing', help: '1 while publishing fails and is being retried', type: 'gauge', samples: [{ labels: state, value: lastError === null ? 0 : 1 }] },
    ]);
  }
}
