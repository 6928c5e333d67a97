import { agreementGranted, agreementRevoked, bearer, issueKey, movementRecorded, testSigningKeys } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import { cutRelease } from '../releases/infrastructure/pg-releases';
import { FeedWriter } from './application/feed-writer';
import { CLOCK } from '../infrastructure/tokens';
import type { FeedItem, StoredFeedItem } from '../answers/feed-item';
import { verifyFeedItem } from './domain/feed-signature';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';
import { signedMessages } from '../testing/signed-messages';

/**
 * The feed writers and the cursor feed in-process on the real PostgreSQL: two recipients with
 * different grants, each release item equal to the REST answer for the same principal and query,
 * signatures checked against GET /v1/signing-keys, cursors refused when never given, a rerun
 * that adds nothing, a revocation and an expiry (the writers' clock moved forward).
 */
describe('recipients’ feeds (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  let writer: FeedWriter;
  let now = new Date();
  const keys = new Map<string, Record<string, string>>();
  const { msg } = signedMessages();
  const ingestAgreements = (events: unknown[]) => regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest(events.map(msg));
  const get = (path: string, who?: string) => app.inject({ method: 'GET', url: path, headers: who ? keys.get(who) : {} });
  const feed = async (who: string, query = ''): Promise<{ items: StoredFeedItem[]; next: string | null }> => {
    const res = await get(`/v1/feed${query}`, who);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const kinds = (items: StoredFeedItem[]) => items.map((s) => `${s.item.kind} ${s.item.id.split('/').slice(0, 1)}`);
  const toUrl = (path: string, q: Record<string, unknown>) =>
    `${path}?${new URLSearchParams(
      Object.entries(q)
        .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    )}`;

  // Iran shares routes and categories with UNHCR weekly (k = 5, until the day after tomorrow);
  // Pakistan categories with Türkiye monthly, exactly. Nobody grants the secretariat anything.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const irGrant = agreementGranted('IR', {
    recipient: 'org:UNHCR',
    dimensions: ['route', 'provider', 'category'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
    validUntil: tomorrow,
  });
  const pkGrant = agreementGranted('PK', {
    recipient: 'state:TR',
    dimensions: ['provider', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 1,
  });

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('feeds', { env: { CONSUME: 'false' }, override: (b) => b.overrideProvider(CLOCK).useValue(() => now) });
    ({ app, pool } = aggregator);
    url = aggregator.url;
    writer = app.get(FeedWriter);
    for (const who of ['secretariat', 'org:UNHCR', 'state:TR', 'state:IR', 'state:PK']) keys.set(who, bearer(await issueKey(url, 'aggregator', who, 'reader')));
    await ingestAgreements([irGrant, pkGrant]);
    const movements = [
      ...Array.from({ length: 14 }, (_, i) =>
        movementRecorded({
          provider: 'IR',
          occurredOn: `2026-11-${String(2 + i).padStart(2, '0')}`,
          data: { borderCrossingPoint: 'IR-DOGHAROUN', departedFrom: 'AF', intendedDestination: 'TR', category: 'refugee' },
        }),
      ),
      ...Array.from({ length: 9 }, () =>
        movementRecorded({
          provider: 'PK',
          occurredOn: '2026-11-10',
          data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', category: 'returnee', direction: 'exit' },
        }),
      ),
    ];
    await regionalIngests(pool, 'g', testSigningKeys().registry()).movements.ingest(movements.map(msg));
    await cutRelease(pool, { dataUntil: '2026-11-30', by: 'test', reason: null });
    await writer.catchUp();
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  it('gives each recipient the items its agreements allow, each release item equal to the REST answer', async () => {
    const unhcr = (await feed('org:UNHCR')).items;
    expect(kinds(unhcr)).toEqual(['agreement.granted agreement', 'release.flows release']);
    const tr = (await feed('state:TR')).items;
    expect(kinds(tr)).toEqual(['agreement.granted agreement', 'release.flows release']);
    // Iran hears of its own grant; the secretariat, granted nothing, hears nothing.
    expect(kinds((await feed('state:IR')).items)).toEqual(['agreement.granted agreement']);
    expect((await feed('secretariat')).items).toEqual([]);

    for (const [who, items, provider] of [
      ['org:UNHCR', unhcr, 'IR'],
      ['state:TR', tr, 'PK'],
    ] as const) {
      const item = items[1].item;
      expect(item).toMatchObject({ id: `release/1/flows/${provider}`, recipient: who, data: { provider, release: { id: 1, dataUntil: '2026-11-30' } } });
      const data = item.data as { agreementId: string; query: Record<string, unknown>; answer: { rows: unknown[] } };
      expect(data.agreementId).toBe(provider === 'IR' ? irGrant.data.agreementId : pkGrant.data.agreementId);
      const rest = await get(toUrl('/v1/flows', data.query), who);
      expect(rest.statusCode).toBe(200);
      expect(data.answer).toEqual(rest.json());
      expect(data.answer.rows.length).toBeGreaterThan(0);
    }
    expect(unhcr[1].item.data.query).toEqual({ from: '2025-12-01', to: '2026-11-30', granularity: 'week', groupBy: ['route', 'category'], providers: ['IR'] });
    // Each computed item is in the audit trail like a REST answer.
    const { rows } = await pool.query(`SELECT principal, purpose, providers FROM audit_log WHERE endpoint = 'FEED release.flows' ORDER BY principal`);
    expect(rows).toEqual([
      { principal: 'org:UNHCR', purpose: 'feed', providers: ['IR'] },
      { principal: 'state:TR', purpose: 'feed', providers: ['PK'] },
    ]);
  });

  it('signs every item with the key GET /v1/signing-keys publishes (no API key needed)', async () => {
    const res = await get('/v1/signing-keys');
    expect(res.statusCode).toBe(200);
    const { keys: published } = res.json() as { keys: { keyId: string; alg: string; publicKeyPem: string; jwk: { kty: string; crv: string; x: string } }[] };
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ alg: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519' } });
    for (const who of ['org:UNHCR', 'state:TR', 'state:IR']) {
      for (const { item } of (await feed(who)).items) {
        expect(item.signature.keyId).toBe(published[0].keyId);
        expect(verifyFeedItem(item, published[0].publicKeyPem)).toBe(true);
        // One byte changed in what was served: the signature no longer holds.
        const tampered = JSON.parse(JSON.stringify(item).replace(/"recipient":"(.)/, (_, c) => `"recipient":"${c === 'o' ? 'p' : 'o'}`)) as FeedItem;
        expect(verifyFeedItem(tampered, published[0].publicKeyPem)).toBe(false);
      }
    }
  });

  it('pages in order with stable ids, and refuses a cursor it never gave (400, nothing changed)', async () => {
    const all = (await feed('org:UNHCR')).items;
    const first = await feed('org:UNHCR', '?limit=1');
    expect(first.items.map((s) => s.item.id)).toEqual([all[0].item.id]);
    const second = await feed('org:UNHCR', `?limit=1&after=${first.next}`);
    expect(second.items).toEqual([all[1]]);
    expect(await feed('org:UNHCR', `?after=${second.next}`)).toEqual({ items: [], next: second.next });
    const trCursor = (await feed('state:TR')).items[0].cursor;
    for (const bad of ['?after=abc', '?after=0', '?after=99999999', `?after=${trCursor}`, '?limit=0', '?limit=1001', '?cursor=1']) {
      expect([bad, (await get(`/v1/feed${bad}`, 'org:UNHCR')).statusCode]).toEqual([bad, 400]);
    }
    expect((await get('/v1/feed')).statusCode).toBe(401);
    // Running the writers again (after a crash, on another instance) adds nothing.
    const count = async () => Number((await pool.query('SELECT count(*) FROM feed_items')).rows[0].count);
    const before = await count();
    await writer.catchUp();
    expect(await writer.writeRelease(1)).toBe(0);
    expect(await count()).toBe(before);
    expect((await feed('org:UNHCR')).items).toEqual(all);
  });

  it('after a revocation serves nothing computed under it and computes nothing new; an expiry is reported', async () => {
    await ingestAgreements([agreementRevoked(pkGrant)]);
    await writer.catchUp();
    const tr = (await feed('state:TR')).items;
    // The release item under the revoked agreement is not served any more; the revocation is.
    expect(kinds(tr)).toEqual(['agreement.granted agreement', 'agreement.revoked agreement']);
    expect(tr[1].item.data).toMatchObject({ agreementId: pkGrant.data.agreementId, status: 'revoked' });
    expect(kinds((await feed('state:PK')).items)).toEqual(['agreement.granted agreement', 'agreement.revoked agreement']);
    await cutRelease(pool, { dataUntil: '2026-11-30', by: 'test', reason: null });
    await writer.catchUp();
    expect((await feed('state:TR')).items).toEqual(tr);
    expect(kinds((await feed('org:UNHCR')).items)).toEqual(['agreement.granted agreement', 'release.flows release', 'release.flows release']);

    // Three days on, Iran's grant has expired (valid until tomorrow): both sides hear of it once.
    now = new Date(Date.now() + 3 * 86_400_000);
    await writer.catchUp();
    await writer.catchUp();
    for (const who of ['org:UNHCR', 'state:IR']) {
      const expired = (await feed(who)).items.filter((s) => s.item.kind === 'agreement.expired');
      expect(expired.map((s) => s.item.id)).toEqual([`agreement/${irGrant.data.agreementId}/expired`]);
    }
  });
});
