import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { FeedItem, FeedSigner } from '../../../answers/feed-item';
import { readFeedItems } from '../../infrastructure/pg-feed-items';
import { backoffMs, signedContent, webhookHeaders } from '../domain/standard-webhook';
import { PollingWorker } from './polling-worker';

export interface WebhookSettings {
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollMs: number;
  concurrency: number;
}

type Attempt = { ok: true } | { ok: false; error: string } | { ok: false; aborted: true };

interface Claimed {
  id: string;
  recipient: string;
  url: string;
  cursor: string;
  attempts: number;
}

/**
 * Posts each subscription's feed items, one at a time and in order: item n+1 only once item n was
 * answered with a 2xx. Each delivery is one transaction that holds the subscription's row
 * (FOR UPDATE SKIP LOCKED) from the claim to the recorded outcome, so any number of aggregators may
 * run this: a subscription is in flight at one of them at most, and a crash rolls back to the last
 * recorded delivery (at least once; receivers deduplicate by `webhook-id`). Items come through
 * readFeedItems, so an item whose agreement is no longer in force is not delivered, however long
 * it waited.
 */
export class WebhookDispatcher {
  /** Attempts by this process, by outcome (for /metrics). */
  readonly stats = { delivered: 0, failed: 0, parked: 0 };
  private readonly logger = new Logger('Webhooks');
  private readonly worker: PollingWorker;

  constructor(
    private readonly pool: Pool,
    private readonly signer: FeedSigner,
    private readonly settings: WebhookSettings,
  ) {
    this.worker = new PollingWorker(
      () => this.pass(),
      settings.pollMs,
      (e) => this.logger.error(`delivery pass failed: ${(e as Error).message}`),
    );
  }

  start(): void {
    this.worker.start();
  }

  /** Aborts the requests in flight (not counted as failures: their transactions roll back) and
   * resolves once every worker has let go of its subscription. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  poke(): void {
    this.worker.poke();
  }

  /** `concurrency` workers, each delivering until nothing is due; whether anything was done. */
  private async pass(): Promise<boolean> {
    const done = await Promise.all(
      Array.from({ length: this.settings.concurrency }, async () => {
        let any = false;
        while (!this.worker.stopping.aborted && (await this.deliverNext())) any = true;
        return any;
      }),
    );
    return done.some(Boolean);
  }

  /** Claims one due subscription and attempts its next item; false when none is due. */
  private async deliverNext(): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const sub = await this.claim(client);
      if (!sub) {
        await client.query('COMMIT');
        return false;
      }
      // The newest seq before reading: when nothing after the cursor may be served (all withheld),
      // the cursor moves past it instead of this subscription being claimed again at every pass.
      const { rows } = await client.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM feed_items WHERE recipient = $1`, [sub.recipient]);
      const [next] = await readFeedItems(client, sub.recipient, BigInt(sub.cursor), 1);
      if (!next) {
        await client.query(`UPDATE webhook_subscriptions SET delivered_seq = greatest(delivered_seq, $2::bigint) WHERE id = $1`, [sub.id, rows[0].seq]);
        await client.query('COMMIT');
        return true;
      }
      const attempt = await this.post(sub.url, next.item);
      if ('aborted' in attempt) {
        await client.query('ROLLBACK');
        return false;
      }
      await this.record(client, sub, next.cursor, next.item.id, attempt);
      await client.query('COMMIT');
      return true;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async claim(client: PoolClient): Promise<Claimed | null> {
    const { rows } = await client.query(
      `SELECT s.id, s.recipient, s.url, s.delivered_seq::text AS cursor, s.attempts
         FROM webhook_subscriptions s
        WHERE s.status = 'active' AND s.next_attempt_at <= now()
          AND EXISTS (SELECT 1 FROM feed_items f WHERE f.recipient = s.recipient AND f.seq > s.delivered_seq)
        ORDER BY s.next_attempt_at
        LIMIT 1
        FOR UPDATE OF s SKIP LOCKED`,
    );
    return rows[0] ?? null;
  }

  private async record(client: PoolClient, sub: Claimed, cursor: string, itemId: string, attempt: Attempt): Promise<void> {
    if (attempt.ok) {
      this.stats.delivered += 1;
      await client.query(
        `UPDATE webhook_subscriptions SET delivered_seq = $2, delivered_count = delivered_count + 1, attempts = 0, last_error = NULL,
                last_attempt_at = now(), next_attempt_at = now() WHERE id = $1`,
        [sub.id, cursor],
      );
      return;
    }
    const error = 'error' in attempt ? attempt.error : 'aborted';
    const attempts = sub.attempts + 1;
    if (attempts >= this.settings.maxAttempts) {
      this.stats.parked += 1;
      this.logger.warn(`webhook ${sub.id} parked at item ${itemId} after ${attempts} failed attempts (last: ${error})`);
      await client.query(
        `UPDATE webhook_subscriptions SET status = 'parked', attempts = $2, last_error = $3, last_attempt_at = now(),
                parked_item_id = $4, parked_at = now() WHERE id = $1`,
        [sub.id, attempts, error, itemId],
      );
      return;
    }
    this.stats.failed += 1;
    const wait = backoffMs(attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
    await client.query(
      `UPDATE webhook_subscriptions SET attempts = $2, last_error = $3, last_attempt_at = now(),
              next_attempt_at = now() + make_interval(secs => $4::double precision / 1000) WHERE id = $1`,
      [sub.id, attempts, error, wait],
    );
  }

  /** One attempt: the item as the body, Standard Webhooks headers signed for this attempt's time.
   * Redirects are not followed (a receiver that moved must be subscribed again). */
  private async post(url: string, item: FeedItem): Promise<Attempt> {
    const body = JSON.stringify(item);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await this.signer.sign(signedContent(item.id, timestamp, body));
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.worker.stopping]),
        headers: { 'content-type': 'application/json', 'user-agent': 'caravanserai-aggregator', ...webhookHeaders(item.id, timestamp, signature) },
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, error: res.status >= 300 && res.status < 400 ? `HTTP ${res.status} (redirects are not followed)` : `HTTP ${res.status}` };
    } catch (e) {
      if (this.worker.stopping.aborted) return { ok: false, aborted: true };
      if (timeout.aborted) return { ok: false, error: `no answer within ${this.settings.timeoutMs} ms` };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, error: (cause?.code ?? cause?.message ?? (e as Error).message).slice(0, 300) };
    }
  }
}
