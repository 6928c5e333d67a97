import { OutboxForwarder, queueRepublication } from '@caravanserai/event-store';
import { Allow, ApiResult } from '@caravanserai/platform';
import { Controller, Get, HttpCode, Inject, Logger, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { agreementsTopic, movementsTopic, NODE_CONFIG, NodeConfig, referralsTopic } from '../config/node.config';
import { PG_POOL } from '../infrastructure/tokens';
import { REPUBLICATION_QUEUED, REPUBLICATION_STATUS } from '../api-schemas';

/**
 * Republication of the node's history (docs/operations.md, "Rebuild the region from the nodes"):
 * the node is the source of truth, and an aggregator rebuilt from nothing gets every event back
 * from the nodes, not from the broker's retention.
 */
@ApiTags('operations')
@Allow('admin')
@Controller('v1/republication')
export class RepublicationController {
  private readonly logger = new Logger('Republication');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly forwarder: OutboxForwarder,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'republish',
    summary: 'Publish every event this node holds again, in stream order, as first signed',
    description:
      'Queues every stored event into the outbox in global-position order; the forwarder publishes them like any other (idempotent producer, keyed by stream). ' +
      'Ingest goes on: appends wait for the copy (one INSERT … SELECT, `lockedMs`) and are never refused. The aggregator skips the event ids it holds. ' +
      'Answers how many events were queued, per topic, and how many the node holds.',
  })
  @ApiResult(202, 'Queued: how many events, per topic', REPUBLICATION_QUEUED)
  async republish() {
    const routes = [
      { streamPrefix: 'movement-', topic: movementsTopic(this.config) },
      { streamPrefix: 'agreement-', topic: agreementsTopic(this.config) },
      { streamPrefix: 'referral-', topic: referralsTopic(this.config) },
    ];
    const done = await queueRepublication(this.pool, routes);
    this.forwarder.notify();
    this.logger.log(`queued ${done.queued} events for republication (${done.lockedMs} ms)`);
    return { state: this.config.NODE_STATE, ...done, outboxBacklog: await this.forwarder.backlog() };
  }

  @Get()
  @ApiOperation({
    operationId: 'getRepublicationStatus',
    summary: 'How many events this node holds, by kind, and how many wait in its outbox: what a rebuilt aggregator must reach',
    description:
      "`counted` is what the aggregator's `eventsReceived` for this state must equal (movement and referral events; agreement decisions are counted by the registry, not there).",
  })
  @ApiResult(200, 'What the node holds and what waits in its outbox', REPUBLICATION_STATUS)
  async status() {
    const { rows } = await this.pool.query<{ movements: string; referrals: string; agreements: string; n: string }>(
      `SELECT count(*) FILTER (WHERE stream_id LIKE 'movement-%') AS movements, count(*) FILTER (WHERE stream_id LIKE 'referral-%') AS referrals,
              count(*) FILTER (WHERE stream_id LIKE 'agreement-%') AS agreements, count(*) AS n
         FROM events`,
    );
    const r = rows[0];
    return {
      state: this.config.NODE_STATE,
      events: Number(r.n),
      byKind: { movements: Number(r.movements), referrals: Number(r.referrals), agreements: Number(r.agreements) },
      counted: Number(r.movements) + Number(r.referrals),
      outboxBacklog: await this.forwarder.backlog(),
    };
  }
}
