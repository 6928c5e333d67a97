import { AppMetrics } from '@caravanserai/platform';
import { issueKey, waitFor } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { FeedItem, FeedSigner } from '../../answers/feed-item';
import { verifyFeedItem } from '../domain/feed-signature';
import { appendFeedItems } from '../infrastructure/pg-feed-items';
import { WebhookDispatcher } from './infrastructure/webhook-dispatcher';
import { appendItems, signedItem, verifiesDelivery, WebhookReceiver } from './testing/webhook-receiver';
import { InProcessAggregator, startInProcessAggregator } from '../../testing/in-process-aggregator';

/**
 * Webhooks on the real PostgreSQL, through the aggregator's own API and its dispatcher, to local
 * receivers: order and signatures through an outage, parking and redelivery, refusals, ownership,
 * and revocation.
 */
describe('webhooks (PostgreSQL, local receivers)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let db: string;
  let pool: Pool;
  let signer: FeedSigner;
  const keys: Record<string, string> = {};
  const receivers: WebhookReceiver[] = [];
  const MAX_ATTEMPTS = 4;

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, who: string, payload?: object) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${keys[who]}` }, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };
  const receiver = async () => {
    const r = new WebhookReceiver();
    receivers.push(r);
    return { r, url: await r.listen() };
  };
  const subscribe = async (who: string, url: string, extra: object = {}) => {
    const res = await call('POST', '/v1/webhooks', who, { url, ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; cursor: string; status: string };
  };

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_webhooks', {
      env: {
        CONSUME: 'false',
        FEED_KAFKA_RELAY: 'false',
        WEBHOOK_ALLOW_HTTP_LOCALHOST: 'true',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_BACKOFF_BASE_MS: '20',
        WEBHOOK_BACKOFF_MAX_MS: '100',
        WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        WEBHOOK_TIMEOUT_MS: '3000',
      },
      poolSize: 4,
    });
    ({ app, pool } = aggregator);
    db = aggregator.url;
    signer = app.get(FeedSigner);
    for (const [who, principal, role] of [
      ['unhcr', 'org:UNHCR', 'reader'],
      ['iom', 'org:IOM', 'reader'],
      ['tr', 'state:TR', 'reader'],
      ['kz', 'state:KZ', 'reader'],
      ['admin', 'admin', 'admin'],
    ]) {
      keys[who] = await issueKey(db, 'aggregator', principal, role);
    }
  }, 60_000);

  afterAll(async () => {
    await aggregator?.close();
    for (const r of receivers) await r.close();
  });

  it('delivers every item, in order, through an outage of the receiver; each signature verifies and tampering does not', async () => {
    const { r, url } = await receiver();
    let requests = 0;
    r.status = () => (++requests <= 3 ? 500 : 200);
    const sub = await subscribe('unhcr', url, { description: 'our ingest' });
    expect(sub).toMatchObject({ status: 'active', cursor: '0' });
    const items = await appendItems(pool, signer, 'org:UNHCR', 5);
    await appendItems(pool, signer, 'org:IOM', 2); // another recipient's feed: never posted here

    await waitFor(() => r.delivered().length >= 5, { what: 'five deliveries', timeoutMs: 20_000, intervalMs: 20 });
    expect(r.delivered()).toEqual(items.map((i) => i.id));
    // One in flight, in order: every attempt (failed ones included) is at the next undelivered item.
    const order = items.map((i) => i.id);
    const attempted = r.received.map((x) => order.indexOf(String(x.headers['webhook-id'])));
    expect(attempted).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
    expect(r.maxInFlight).toBe(1);
    for (const x of r.received) {
      expect(verifiesDelivery(signer.publicKeyPem, x)).toBe(true);
      expect(Math.abs(Number(x.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(x.headers['content-type']).toBe('application/json');
      const body = JSON.parse(x.body) as FeedItem;
      expect(body.id).toBe(x.headers['webhook-id']);
      expect(verifyFeedItem(body, signer.publicKeyPem)).toBe(true);
    }
    const good = r.received[r.received.length - 1];
    expect(verifiesDelivery(signer.publicKeyPem, { ...good, body: good.body.replace('"n":4', '"n":5') })).toBe(false);
    const signature = String(good.headers['webhook-signature']);
    const flipped = `v1a,${Buffer.from(Buffer.from(signature.slice(4), 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64')}`;
    expect(verifiesDelivery(signer.publicKeyPem, { ...good, headers: { ...good.headers, 'webhook-signature': flipped } })).toBe(false);
    expect(
      verifiesDelivery(signer.publicKeyPem, {
        ...good,
        headers: { ...good.headers, 'webhook-timestamp': String(Number(good.headers['webhook-timestamp']) + 1) },
      }),
    ).toBe(false);

    const state = await waitFor(
      async () => {
        const s = (await call('GET', `/v1/webhooks/${sub.id}`, 'unhcr')).body;
        return s.delivered === 5 ? s : null;
      },
      { what: 'the subscription to show five delivered' },
    );
    expect(state).toMatchObject({ status: 'active', attempts: 0, lastError: null, parked: null, description: 'our ingest', url });
    const { rows } = await pool.query(`SELECT max(seq)::text AS seq FROM feed_items WHERE recipient = 'org:UNHCR'`);
    expect(state.cursor).toBe(rows[0].seq);

    // What GET /metrics renders (the scrape itself also asks Kafka for the consumer lag, which is slow here).
    const metrics = { body: await app.get(AppMetrics).render() };
    expect(metrics.body).toMatch(/caravanserai_webhook_attempts_total\{outcome="delivered"\} 5/);
    expect(metrics.body).toMatch(/caravanserai_webhook_attempts_total\{outcome="failed"\} 3/);
    expect(metrics.body).toMatch(/caravanserai_webhook_subscriptions\{status="active"\} 1/);
  }, 30_000);

  it('parks after repeated failures, visibly, and redelivery resumes from the parked item (or an earlier cursor)', async () => {
    const { r, url } = await receiver();
    r.status = () => 503;
    const sub = await subscribe('tr', url);
    const items = await appendItems(pool, signer, 'state:TR', 2);
    const parked = await waitFor(
      async () => {
        const s = (await call('GET', `/v1/webhooks/${sub.id}`, 'tr')).body;
        return s.status === 'parked' ? s : null;
      },
      { what: 'the subscription parked', timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(parked).toMatchObject({
      attempts: MAX_ATTEMPTS,
      lastError: 'HTTP 503',
      cursor: sub.cursor,
      delivered: 0,
      nextAttemptAt: null,
      parked: { itemId: items[0].id },
    });
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(Array(MAX_ATTEMPTS).fill(items[0].id));
    expect((await call('GET', '/v1/webhooks', 'tr')).body.webhooks).toEqual([parked]);

    expect((await call('POST', `/v1/webhooks/${sub.id}/redeliver`, 'tr', { after: '999999' })).status).toBe(400);
    r.status = () => 204;
    const resumed = await call('POST', `/v1/webhooks/${sub.id}/redeliver`, 'tr', {});
    expect(resumed).toMatchObject({ status: 200, body: { status: 'active', attempts: 0, parked: null } });
    await waitFor(() => r.delivered().length === 2, { what: 'both items after redelivery', intervalMs: 20 });
    expect(r.delivered()).toEqual(items.map((i) => i.id));

    // From an earlier cursor: the same items again, in order.
    const again = await call('POST', `/v1/webhooks/${sub.id}/redeliver`, 'tr', { after: sub.cursor });
    expect(again.status).toBe(200);
    await waitFor(() => r.delivered().length === 4, { what: 'both items delivered again', intervalMs: 20 });
    expect(r.delivered()).toEqual([...items, ...items].map((i) => i.id));
  }, 30_000);

  it("refuses bad URLs with a 400 (and a malformed body with the API's usual 422), storing nothing", async () => {
    const before = (await call('GET', '/v1/webhooks', 'kz')).body.webhooks;
    const refusals: [object, number][] = [
      [{ url: 'ftp://receiver.example/hook' }, 400],
      [{ url: 'http://receiver.example/hook' }, 400],
      [{ url: 'http://10.0.0.1/hook' }, 400],
      [{ url: 'receiver.example/hook' }, 400],
      [{ url: 'https://user:secret@receiver.example/hook' }, 400],
      [{ url: 42 }, 422],
      [{}, 422],
      [{ url: 'https://receiver.example/hook', after: 'latest' }, 422],
      [{ url: 'https://receiver.example/hook', unknown: true }, 422],
    ];
    for (const [payload, status] of refusals) {
      const res = await call('POST', '/v1/webhooks', 'kz', payload);
      expect({ payload, status: res.status }).toEqual({ payload, status });
      expect(res.body.message).toEqual(expect.any(String));
    }
    const https = await call('POST', '/v1/webhooks', 'kz', { url: 'http://receiver.example/hook' });
    expect(https.body.errors).toEqual([{ field: 'url', message: 'url must use https: plain http is allowed only to 127.0.0.1, [::1] or localhost' }]);
    expect((await call('GET', '/v1/webhooks', 'kz')).body.webhooks).toEqual(before);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE recipient = 'state:KZ'`);
    expect(rows[0].n).toBe(before.length);
  });

  it('shows and changes a subscription only for its owner: anyone else gets 404, the admin 403', async () => {
    const sub = await subscribe('iom', 'https://receiver.example/iom');
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${sub.id}`],
      ['POST', `/v1/webhooks/${sub.id}/redeliver`],
      ['DELETE', `/v1/webhooks/${sub.id}`],
    ] as const) {
      expect({ method, status: (await call(method, path, 'kz', method === 'POST' ? {} : undefined)).status }).toEqual({ method, status: 404 });
      expect({ method, admin: (await call(method, path, 'admin', method === 'POST' ? {} : undefined)).status }).toEqual({ method, admin: 403 });
    }
    expect((await call('GET', '/v1/webhooks', 'kz')).body.webhooks.map((w: { id: string }) => w.id)).not.toContain(sub.id);
    expect((await call('GET', `/v1/webhooks/${randomUUID()}`, 'iom')).status).toBe(404);
    expect((await call('GET', '/v1/webhooks/not-a-uuid', 'iom')).status).toBe(404);
    expect((await call('GET', `/v1/webhooks/${sub.id}`, 'iom')).body).toMatchObject({ id: sub.id, status: 'active' });
    expect((await call('DELETE', `/v1/webhooks/${sub.id}`, 'iom')).status).toBe(204);
    expect((await call('GET', `/v1/webhooks/${sub.id}`, 'iom')).status).toBe(404);
  });

  it('does not deliver an item whose agreement was revoked while it waited, and goes on with the next', async () => {
    const agreement = randomUUID();
    await pool.query(
      `INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at)
       VALUES ($1, 'IR', 'org:WFP', '{}'::jsonb, 'active', 1, now(), now())`,
      [agreement],
    );
    keys.wfp = await issueKey(db, 'aggregator', 'org:WFP', 'reader');
    const { r, url } = await receiver();
    let recovered = false;
    r.status = () => (recovered ? 200 : 500);
    const sub = await subscribe('wfp', url);
    const [underAgreement] = await appendItems(pool, signer, 'org:WFP', 1, agreement);
    await waitFor(() => r.received.length > 0, { what: 'a failed attempt at the item', intervalMs: 20 });
    expect(r.received[0].headers['webhook-id']).toBe(underAgreement.id);

    await pool.query(`UPDATE agreements SET status = 'revoked', revoked_at = now() WHERE agreement_id = $1`, [agreement]);
    const notice = await signedItem(signer, 'org:WFP', 'agreement.revoked', { agreementId: agreement });
    const later = await signedItem(signer, 'org:WFP', 'release.flows', { n: 1 });
    await appendFeedItems(pool, [
      { item: notice, agreementId: agreement },
      { item: later, agreementId: null },
    ]);
    // Once an attempt at the notice arrives, the withheld item is behind the subscription (an
    // attempt already in flight at the moment of revocation comes before it, one at a time).
    await call('POST', `/v1/webhooks/${sub.id}/redeliver`, 'wfp', {}); // in case it parked meanwhile
    await waitFor(() => r.received.some((x) => x.headers['webhook-id'] === notice.id), { what: 'an attempt at the notice', intervalMs: 20 });
    recovered = true;
    await call('POST', `/v1/webhooks/${sub.id}/redeliver`, 'wfp', {});
    await waitFor(() => r.delivered().length === 2, { what: 'the revocation and the next item', intervalMs: 20 });
    expect(r.delivered()).toEqual([notice.id, later.id]);
    const afterRevocation = r.received.slice(r.received.findIndex((x) => x.headers['webhook-id'] === notice.id));
    expect(afterRevocation.map((x) => x.headers['webhook-id'])).not.toContain(underAgreement.id);
    expect(r.received.filter((x) => x.status < 300).every((x) => verifiesDelivery(signer.publicKeyPem, x))).toBe(true);
  }, 30_000);

  it('keeps one delivery in flight per subscription with two dispatchers on one database, each item once and in order', async () => {
    const dispatchers = [0, 1].map(
      () => new WebhookDispatcher(pool, signer, { timeoutMs: 3000, maxAttempts: 10, backoffBaseMs: 20, backoffMaxMs: 100, pollMs: 20, concurrency: 3 }),
    );
    dispatchers.forEach((d) => d.start());
    try {
      const { r, url } = await receiver();
      r.delayMs = 15;
      await subscribe('kz', url);
      const items = await appendItems(pool, signer, 'state:KZ', 12);
      await waitFor(() => r.delivered().length >= 12, { what: 'twelve deliveries', timeoutMs: 20_000, intervalMs: 20 });
      expect(r.delivered()).toEqual(items.map((i) => i.id));
      expect(r.maxInFlight).toBe(1);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
  }, 30_000);
});
