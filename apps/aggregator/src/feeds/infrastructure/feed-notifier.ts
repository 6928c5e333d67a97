import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { FEED_CHANNEL } from './pg-feed-writes';

/**
 * Tells the live streams of this process that items were committed (PostgreSQL LISTEN on
 * FEED_CHANNEL, notified by every append, from any instance). One connection per process, taken
 * from the pool on the first stream and kept; lost, it is taken again on the next wait. The
 * streams also look every few seconds on their own, so a lost notification only delays an item.
 */
export class FeedNotifier {
  private readonly logger = new Logger('FeedNotifier');
  private client: PoolClient | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(private readonly pool: Pool) {}

  /** Resolves on the next notification or after `timeoutMs`, whichever comes first. */
  async next(timeoutMs: number): Promise<void> {
    await this.listen().catch((e) => this.logger.warn(`cannot listen for feed items, streams will poll: ${(e as Error).message}`));
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Wakes every waiter (new items, or shutdown). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) {
      await client.query(`UNLISTEN ${FEED_CHANNEL}`).catch(() => undefined);
      client.release(true);
    }
  }

  private listen(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = await this.pool.connect();
      const drop = (e?: Error) => {
        if (e) this.logger.warn(`feed notifications lost, listening again: ${e.message}`);
        client.removeAllListeners('notification');
        if (this.client === client) this.client = null;
        client.release(true);
      };
      client.on('error', drop);
      client.on('notification', () => this.wake());
      try {
        await client.query(`LISTEN ${FEED_CHANNEL}`);
      } catch (e) {
        drop();
        throw e;
      }
      this.client = client;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }
}
