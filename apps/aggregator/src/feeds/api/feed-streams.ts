import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { SSE_HEARTBEAT, sseEvent } from '../domain/feed-items';
import { FeedNotifier } from '../infrastructure/feed-notifier';
import { readFeedItems } from '../infrastructure/pg-feed-items';

/** A comment line every this often on an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** A stream looks for items on its own this often, besides being woken by notifications. */
const POLL_MS = 5_000;
const PAGE = 500;

/**
 * The live streams of this process (GET /v1/feed/stream): each sends the recipient's items after
 * its cursor, then waits to be woken by a commit of new items (FeedNotifier: LISTEN/NOTIFY, so
 * an item reaches a stream within milliseconds of its commit, with no query per stream while
 * nothing happens, beyond a look every 5 s in case a notification was lost), with heartbeats.
 * Ended cleanly before the HTTP server closes at shutdown.
 */
@Injectable()
export class FeedStreams implements BeforeApplicationShutdown {
  private readonly notifier: FeedNotifier;
  private readonly open = new Set<Promise<void>>();
  private stopping = false;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    this.notifier = new FeedNotifier(pool);
  }

  /** Serves `recipient`'s items after `afterSeq` on `raw` until the client leaves or shutdown. */
  serve(raw: ServerResponse, recipient: string, afterSeq: bigint): void {
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const run = this.loop(raw, recipient, afterSeq).finally(() => this.open.delete(run));
    this.open.add(run);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.notifier.close();
    await Promise.all([...this.open]);
  }

  private async loop(raw: ServerResponse, recipient: string, afterSeq: bigint): Promise<void> {
    let gone = false;
    raw.on('close', () => {
      gone = true;
      this.notifier.wake();
    });
    const write = async (text: string) => {
      if (!raw.write(text)) await new Promise<void>((resolve) => raw.once('drain', resolve).once('close', resolve));
    };
    let after = afterSeq;
    let lastWrite = Date.now();
    try {
      await write('retry: 3000\n\n');
      while (!gone && !this.stopping) {
        const items = await readFeedItems(this.pool, recipient, after, PAGE);
        for (const stored of items) {
          if (gone) break;
          await write(sseEvent(stored));
          after = BigInt(stored.cursor);
          lastWrite = Date.now();
        }
        if (items.length === PAGE) continue;
        await this.notifier.next(Math.min(POLL_MS, Math.max(0, lastWrite + HEARTBEAT_MS - Date.now())));
        if (!gone && Date.now() - lastWrite >= HEARTBEAT_MS) {
          await write(SSE_HEARTBEAT);
          lastWrite = Date.now();
        }
      }
    } catch {
      // The database went away: end the stream; the client resumes with Last-Event-ID.
    } finally {
      raw.end();
    }
  }
}
