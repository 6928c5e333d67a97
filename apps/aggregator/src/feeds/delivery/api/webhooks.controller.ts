import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiProblems, ApiResult, PrincipalResolver } from '@caravanserai/platform';
import { WEBHOOK_SCHEMA, WEBHOOKS_SCHEMA } from '../../../api-schemas';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Pool } from 'pg';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../../config/aggregator.config';
import { PG_POOL } from '../../../infrastructure/tokens';
import { webhookUrlProblem } from '../domain/webhook-url';
import {
  createSubscription,
  deleteSubscription,
  findSubscription,
  listSubscriptions,
  redeliver,
  WebhookSubscription,
} from '../infrastructure/pg-webhook-subscriptions';
import { CreateWebhookDto, RedeliverWebhookDto } from './webhooks.dto';

const notFound = () => new DomainError('WEBHOOKS.NOT_FOUND', 'no such webhook subscription', 'not_found');
/** A path id that is not a UUID is as absent as an unknown one (404, not 400). */
const uuid = new ParseUUIDPipe({ exceptionFactory: notFound });

/**
 * A recipient's webhook subscriptions to its own feed (docs/integrators.md, "Webhooks"). Each
 * caller sees and changes only its own: another's answers 404, as one that does not exist.
 */
@ApiTags('webhooks')
@Allow('reader')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly principals: PrincipalResolver,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiResult(201, 'The subscription', WEBHOOK_SCHEMA)
  @ApiProblems({ 409: ['WEBHOOKS.TOO_MANY'] })
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to your feed: each item is POSTed to it, signed (Standard Webhooks, v1a Ed25519), in order',
    description: 'From now on, or from after a given cursor. https only. Retried with backoff and jitter; parked after repeated failures.',
  })
  async create(@Body() dto: CreateWebhookDto, @Req() request: FastifyRequest): Promise<WebhookSubscription> {
    const principal = this.principals.require(request);
    const problem = webhookUrlProblem(dto.url, this.config.WEBHOOK_ALLOW_HTTP_LOCALHOST);
    if (problem) throw new ValidationFailed([{ field: 'url', message: problem }], 'bad_request');
    const created = await createSubscription(
      this.pool,
      { recipient: principal.id, url: dto.url, description: dto.description ?? null, afterSeq: dto.after === undefined ? null : BigInt(dto.after) },
      this.config.WEBHOOK_MAX_PER_RECIPIENT,
    );
    if (!created) {
      throw new DomainError(
        'WEBHOOKS.TOO_MANY',
        `at most ${this.config.WEBHOOK_MAX_PER_RECIPIENT} webhook subscriptions per recipient: delete one first`,
        'conflict',
      );
    }
    return created;
  }

  @Get()
  @ApiResult(200, 'Your subscriptions', WEBHOOKS_SCHEMA)
  @ApiOperation({ operationId: 'listWebhooks', summary: 'Your webhook subscriptions, with their delivery state' })
  async list(@Req() request: FastifyRequest): Promise<{ webhooks: WebhookSubscription[] }> {
    return { webhooks: await listSubscriptions(this.pool, this.principals.require(request).id) };
  }

  @Get(':id')
  @ApiResult(200, 'The subscription', WEBHOOK_SCHEMA)
  @ApiProblems({ 404: ['WEBHOOKS.NOT_FOUND'] })
  @ApiOperation({
    operationId: 'getWebhook',
    summary: 'One of your subscriptions: active or parked, the cursor delivered up to, attempts, last error, the parked item',
  })
  async get(@Param('id', uuid) id: string, @Req() request: FastifyRequest): Promise<WebhookSubscription> {
    return (await findSubscription(this.pool, this.principals.require(request).id, id)) ?? Promise.reject(notFound());
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiProblems({ 404: ['WEBHOOKS.NOT_FOUND'] })
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Stop and remove one of your subscriptions (after a delivery in flight has finished)' })
  async remove(@Param('id', uuid) id: string, @Req() request: FastifyRequest): Promise<void> {
    if (!(await deleteSubscription(this.pool, this.principals.require(request).id, id))) throw notFound();
  }

  @Post(':id/redeliver')
  @HttpCode(200)
  @ApiResult(200, 'The subscription, active again', WEBHOOK_SCHEMA)
  @ApiProblems({ 404: ['WEBHOOKS.NOT_FOUND'] })
  @ApiOperation({
    operationId: 'redeliverWebhook',
    summary: 'Resume a parked subscription from the item it stopped at, or deliver again from an earlier cursor',
    description: 'Also clears the backoff of an active one. `after` may not be beyond the cursor delivered up to.',
  })
  async redeliver(@Param('id', uuid) id: string, @Body() dto: RedeliverWebhookDto, @Req() request: FastifyRequest): Promise<WebhookSubscription> {
    const principal = this.principals.require(request);
    const outcome = await redeliver(this.pool, principal.id, id, dto?.after === undefined ? null : BigInt(dto.after));
    if (outcome.ok) return outcome.subscription;
    if (outcome.reason === 'not_found') throw notFound();
    throw new ValidationFailed(
      [{ field: 'after', message: `after must not be beyond the cursor delivered up to (${outcome.cursor}): skipping items is not a redelivery` }],
      'bad_request',
    );
  }
}
