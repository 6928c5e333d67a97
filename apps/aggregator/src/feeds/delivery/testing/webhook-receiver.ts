import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import type { Pool } from 'pg';
import type { FeedItem, FeedItemKind, FeedSigner } from '../../../answers/feed-item';
import { signFeedItem } from '../../domain/feed-signature';
import { appendFeedItems } from '../../infrastructure/pg-feed-items';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A local receiver for the tests: answers `status()` to each POST (500 while "down"), records
 * every request, and counts how many were in flight at once. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  status: () => number = () => 200;
  delayMs = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const status = this.status();
        const answer = () => {
          this.inFlight -= 1;
          this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
          res.writeHead(status).end();
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The ids of the deliveries answered with a 2xx, in the order they were answered. */
  delivered(): string[] {
    return this.received.filter((r) => r.status < 300).map((r) => String(r.headers['webhook-id']));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Signs items as the feed's writers do (canonical JSON of the item without its signature). */
export async function signedItem(
  signer: FeedSigner,
  recipient: string,
  kind: FeedItemKind = 'release.flows',
  data: Record<string, unknown> = {},
): Promise<FeedItem> {
  return signFeedItem({ id: `test/${randomUUID()}`, kind, recipient, occurredAt: new Date().toISOString(), data }, signer);
}

export async function appendItems(pool: Pool, signer: FeedSigner, recipient: string, n: number, agreementId: string | null = null): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  for (let i = 0; i < n; i++) items.push(await signedItem(signer, recipient, 'release.flows', { n: i }));
  await appendFeedItems(
    pool,
    items.map((item) => ({ item, agreementId })),
  );
  return items;
}

/** The receiver's check, written as a receiver would (not with the sender's code): Ed25519 over
 * "{webhook-id}.{webhook-timestamp}.{body}", `v1a`, standard base64, with the published key. */
export function verifiesDelivery(publicKeyPem: string, r: Pick<Received, 'headers' | 'body'>): boolean {
  const signed = Buffer.from(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`);
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((entry) => entry.startsWith('v1a,') && verify(null, signed, createPublicKey(publicKeyPem), Buffer.from(entry.slice(4), 'base64')));
}
