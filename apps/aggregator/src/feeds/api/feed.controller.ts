import { ValidationFailed } from '@caravanserai/contracts';
import { Allow, ApiResult, PrincipalResolver, Public } from '@caravanserai/platform';
import { FEED_PAGE_SCHEMA, FEED_STREAM_SCHEMA, SIGNING_KEYS_SCHEMA } from '../../api-schemas';
import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { FeedSigner } from '../../answers/feed-item';
import { publishedKey } from '../domain/feed-signature';
import { cursorGiven } from '../infrastructure/pg-feed-writes';
import { readFeedItems, seqOfCursor } from '../infrastructure/pg-feed-items';
import { FeedPageQueryDto, FeedQueryDto } from './feed-query.dto';
import { FeedStreams } from './feed-streams';

@ApiTags('feed')
@Controller('v1')
export class FeedController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly principals: PrincipalResolver,
    private readonly streams: FeedStreams,
    private readonly signer: FeedSigner,
  ) {}

  @Get('feed')
  @Allow('reader')
  @ApiResult(200, 'Items after the cursor, in order', FEED_PAGE_SCHEMA)
  @ApiOperation({
    operationId: 'getFeed',
    summary: "The caller's feed: what its agreements let it see, item by item, in order (docs/integrators.md)",
    description:
      'Resume with after=<the last cursor you processed> (or `next`); at least once, each item with a stable id, signed by the aggregator (GET /v1/signing-keys).',
  })
  async page(@Query() dto: FeedPageQueryDto, @Req() request: FastifyRequest) {
    const recipient = this.principals.require(request).id;
    const after = await this.resumePoint(recipient, dto.after, 'after');
    const items = await readFeedItems(this.pool, recipient, after, dto.limit);
    return { items, next: items.length > 0 ? items[items.length - 1].cursor : (dto.after ?? null) };
  }

  @Get('feed/stream')
  @Allow('reader')
  @ApiProduces('text/event-stream')
  @ApiResult(200, 'The stream, open until the caller or the service closes it', null, { 'text/event-stream': FEED_STREAM_SCHEMA })
  @ApiOperation({
    operationId: 'streamFeed',
    summary: "The caller's feed as Server-Sent Events: each item an event (id = cursor, event = kind, data = item), heartbeats in between",
    description: 'Resumes after the Last-Event-ID header (or after=<cursor>); new items arrive as they are written.',
  })
  async stream(
    @Query() dto: FeedQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const recipient = this.principals.require(request).id;
    const field = lastEventId !== undefined ? 'Last-Event-ID' : 'after';
    const after = await this.resumePoint(recipient, lastEventId ?? dto.after, field);
    reply.hijack();
    this.streams.serve(reply.raw, recipient, after);
  }

  @Get('signing-keys')
  @Public()
  @ApiResult(200, "The aggregator's public signing keys", SIGNING_KEYS_SCHEMA)
  @ApiOperation({
    operationId: 'getSigningKeys',
    summary: "The aggregator's public keys that sign feed items and webhook deliveries (Ed25519, as PEM and JWK)",
  })
  signingKeys() {
    return { keys: [publishedKey(this.signer)] };
  }

  /** The seq to read after: 0 without a cursor; a cursor this service never gave this caller is refused. */
  private async resumePoint(recipient: string, cursor: string | undefined, field: string): Promise<bigint> {
    if (cursor === undefined || cursor === '') return 0n;
    const seq = seqOfCursor(cursor);
    if (seq === null || seq === 0n || !(await cursorGiven(this.pool, recipient, seq))) {
      throw new ValidationFailed(
        [{ field, message: `${field} is not a cursor of your feed: resume with a cursor this service gave you, or without one from the start` }],
        'bad_request',
      );
    }
    return seq;
  }
}
