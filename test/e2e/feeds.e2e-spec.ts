import { agreementAmended, agreementGranted, agreementRevoked, movementRecorded, RunningRegion, startRegion, waitFor } from '@caravanserai/testing';
import { execFileSync } from 'node:child_process';
import type { FeedItem, StoredFeedItem } from '../../apps/aggregator/src/answers/feed-item';
import { verifyFeedItem } from '../../apps/aggregator/src/feeds/domain/feed-signature';
import { sseReader } from './sse-reader';
import { verifiesDelivery, WebhookReceiver } from '../../apps/aggregator/src/feeds/delivery/testing/webhook-receiver';

/**
 * Two integrators follow their feeds on the real aggregator (issue 14): UNHCR, granted Iran's
 * movements weekly by route (k = 5), and Türkiye, granted Pakistan's monthly by category (k = 3).
 * Grants and movements go signed straight to the broker, with a surge planted on Iran's AF>IR>TR.
 * Through a release, the alert, an amendment of Iran's grant, a revocation of Pakistan's and two
 * more releases, each feed holds exactly what its agreements allow: every release item equal to
 * the REST answer for the same principal and query (fetched before the next release), the
 * alerts as GET /v1/alerts shows them, nothing under the revoked agreement afterwards, the same
 * ids on every read, every signature valid with GET /v1/signing-keys, and the Server-Sent Events
 * stream, live and resumed with Last-Event-ID, with neither gaps nor duplicates.
 */
describe('recipients’ feeds, end to end', () => {
  // 35 days ending two days ago: four usual weeks, then the surge week.
  const day = (d: number) => new Date(Date.now() - (2 + 34 - d) * 86_400_000).toISOString().slice(0, 10);
  let region: RunningRegion;
  // UNHCR's webhook receiver, down (500) for its first five requests.
  const hook = new WebhookReceiver();
  let hookCalls = 0;
  hook.status = () => (++hookCalls <= 5 ? 500 : 204);
  const irGrant = agreementGranted('IR', {
    recipient: 'org:UNHCR',
    dimensions: ['route', 'provider'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
  });
  const pkGrant = agreementGranted('PK', {
    recipient: 'state:TR',
    dimensions: ['category', 'provider'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 3,
  });

  const movements = [
    ...Array.from({ length: 35 }, (_, d) =>
      Array.from({ length: d < 28 ? 8 : 32 }, () =>
        movementRecorded({ provider: 'IR', occurredOn: day(d), data: { departedFrom: 'AF', intendedDestination: 'TR', category: 'asylum_seeker' } }),
      ),
    ).flat(),
    ...Array.from({ length: 35 }, (_, d) =>
      Array.from({ length: 3 }, (_, i) =>
        movementRecorded({
          provider: 'PK',
          occurredOn: day(d),
          data: { borderCrossingPoint: 'PK-TORKHAM', departedFrom: 'PK', intendedDestination: 'AF', direction: 'exit', category: i ? 'returnee' : 'refugee' },
        }),
      ),
    ).flat(),
  ];
  const api = async <T>(path: string, who: string): Promise<T> => {
    const res = await fetch(`${region.aggregator.url}${path}`, { headers: region.as(who) });
    if (res.status !== 200) throw new Error(`GET ${path} as ${who}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  /** The whole feed, page by page (small pages, to exercise the cursor). */
  const readAll = async (who: string): Promise<StoredFeedItem[]> => {
    const out: StoredFeedItem[] = [];
    let after = '';
    for (;;) {
      const page = await api<{ items: StoredFeedItem[]; next: string | null }>(`/v1/feed?limit=3${after ? `&after=${after}` : ''}`, who);
      out.push(...page.items);
      if (page.items.length < 3) return out;
      after = page.next!;
    }
  };
  const cut = async (): Promise<number> => (await region.release({ reason: 'feeds e2e' })).id;
  const asQuery = (q: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(q)
        .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    );
  /** Every release item of this release in the feed, each equal to what REST answers now. */
  const checkRelease = async (who: string, releaseId: number, providers: string[]) => {
    const items = await waitFor(
      async () => {
        const mine = (await readAll(who)).filter((s) => s.item.id.startsWith(`release/${releaseId}/`));
        return mine.length === providers.length ? mine : null;
      },
      { timeoutMs: 30_000, what: `${who}'s items of release ${releaseId}` },
    );
    expect(items.map((s) => s.item.id).sort()).toEqual(providers.map((p) => `release/${releaseId}/flows/${p}`));
    for (const { item } of items) {
      const data = item.data as { query: Record<string, unknown>; answer: { release: { id: number }; rows: unknown[] } };
      expect(data.answer.release.id).toBe(releaseId);
      expect(data.answer).toEqual(await api(`/v1/flows?${asQuery(data.query)}`, who));
    }
    return items;
  };
  const sse = new Map<string, ReturnType<typeof sseReader>>();

  beforeAll(async () => {
    region = await startRegion({
      name: 'e2e-feed',
      readers: ['org:UNHCR', 'state:TR', 'state:IR'],
      aggregatorEnv: {
        ALERTS_INTERVAL_MS: '2000',
        ALERTS_PROGRESS_GAP_MS: '1000',
        WEBHOOK_ALLOW_HTTP_LOCALHOST: 'true',
        WEBHOOK_POLL_MS: '200',
        WEBHOOK_BACKOFF_BASE_MS: '100',
        WEBHOOK_BACKOFF_MAX_MS: '500',
        WEBHOOK_MAX_ATTEMPTS: '50',
      },
    });
    // UNHCR subscribes a webhook before anything happens, and follows its feed live from the start.
    const subscribed = await fetch(`${region.aggregator.url}/v1/webhooks`, {
      method: 'POST',
      headers: { ...region.as('org:UNHCR'), 'content-type': 'application/json' },
      body: JSON.stringify({ url: await hook.listen(), description: 'e2e receiver' }),
    });
    expect(subscribed.status).toBe(201);
    sse.set('live', sseReader(`${region.aggregator.url}/v1/feed/stream`, region.as('org:UNHCR')));
  });

  afterAll(async () => {
    for (const s of sse.values()) s.close();
    await hook.close();
    await region?.close();
  });

  it('follows two integrators through data, a release, an alert, an amendment and a revocation', async () => {
    // The movements first: held until each state's first grant, then projected at once, so the
    // surge detector sees the whole surge in one run (and the alert's figures do not move after).
    await region.publish('movements', movements);
    await waitFor(
      async () => Number((await region.pool.query(`SELECT count(*) AS n FROM regional_events WHERE type = 'MovementRecorded'`)).rows[0].n) === movements.length,
      {
        timeoutMs: 120_000,
        what: 'every movement received',
      },
    );
    await region.publish('agreements', [irGrant, pkGrant]);
    await waitFor(async () => Number((await region.pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts')).rows[0].n) === movements.length, {
      timeoutMs: 120_000,
      what: 'every movement projected',
    });

    // A release: each integrator gets the figures of its one agreement, as REST answers them.
    const first = await cut();
    const [unhcr1] = await checkRelease('org:UNHCR', first, ['IR']);
    expect(unhcr1.item.data).toMatchObject({
      provider: 'IR',
      agreementId: irGrant.data.agreementId,
      query: { granularity: 'week', groupBy: ['route'], providers: ['IR'] },
    });
    const [tr1] = await checkRelease('state:TR', first, ['PK']);
    expect(tr1.item.data).toMatchObject({
      provider: 'PK',
      agreementId: pkGrant.data.agreementId,
      query: { granularity: 'month', groupBy: ['category'], providers: ['PK'] },
    });

    // The surge on AF>IR>TR: UNHCR (route, weekly) hears of the route alert as GET /v1/alerts shows
    // it; Türkiye, granted nothing of Iran's, hears of none.
    type Alert = { alertId: string; scope: string; route: string | null; severity: string; updatedAt: string };
    const alerts = await waitFor(
      async () => {
        const list = (await api<{ alerts: Alert[] }>('/v1/alerts', 'state:IR')).alerts;
        return list.length > 0 && list.every((a) => a.severity === 'critical') ? list : null;
      },
      { timeoutMs: 60_000, what: 'the surge detected as critical' },
    );
    const shown = (await api<{ alerts: Alert[] }>('/v1/alerts?status=all', 'org:UNHCR')).alerts;
    expect(shown.map((a) => a.scope)).toEqual(['route']);
    const alertItems = await waitFor(
      async () => {
        const items = (await readAll('org:UNHCR')).filter((s) => s.item.kind.startsWith('alert.') && (s.item.data as Alert).severity === 'critical');
        return items.length > 0 ? items : null;
      },
      { timeoutMs: 30_000, what: "UNHCR's critical alert item" },
    );
    const { updatedAt: _u, ...itemAlert } = alertItems[alertItems.length - 1].item.data as Alert;
    const { updatedAt: _v, ...restAlert } = shown[0];
    expect(itemAlert).toEqual(restAlert);
    expect(alerts.map((a) => a.alertId)).toContain(restAlert.alertId);
    expect((await readAll('state:TR')).filter((s) => s.item.kind.startsWith('alert.'))).toEqual([]);

    // Iran amends UNHCR's grant (k = 10): both sides hear of it, and the next release is cut to it.
    await region.publish('agreements', [agreementAmended(irGrant, { minCellSize: 10 })]);
    await waitFor(async () => (await readAll('org:UNHCR')).some((s) => s.item.kind === 'agreement.amended'), { what: 'the amendment in UNHCR’s feed' });
    // Iran hears of its agreement's changes, and of the alerts on its own data (all three scopes).
    const iran = (await readAll('state:IR')).map((s) => s.item.kind);
    expect(iran.filter((k) => k.startsWith('agreement.'))).toEqual(['agreement.granted', 'agreement.amended']);
    expect(iran.filter((k) => k.startsWith('alert.'))).toEqual(['alert.raised', 'alert.raised', 'alert.raised']);
    const second = await cut();
    const [unhcr2] = await checkRelease('org:UNHCR', second, ['IR']);
    expect(unhcr2.item.data).toMatchObject({ answer: { disclosure: { method: { protected: [{ provider: 'IR', k: 10 }] } } } });
    await checkRelease('state:TR', second, ['PK']);

    // Pakistan revokes Türkiye's grant: from then on nothing of it, the revocation itself excepted.
    await region.publish('agreements', [agreementRevoked(pkGrant, 2)]);
    const trAfter = await waitFor(
      async () => {
        const items = await readAll('state:TR');
        return items.some((s) => s.item.kind === 'agreement.revoked') ? items : null;
      },
      { what: 'the revocation in Türkiye’s feed' },
    );
    expect(trAfter.map((s) => s.item.kind)).toEqual(['agreement.granted', 'agreement.revoked']);
    const third = await cut();
    const [unhcr3] = await checkRelease('org:UNHCR', third, ['IR']);
    expect((await readAll('state:TR')).map((s) => s.item.id)).toEqual(trAfter.map((s) => s.item.id));

    // Stable: the same cursors and ids on every read; every signature valid, a changed byte not.
    const unhcr = await readAll('org:UNHCR');
    expect(await readAll('org:UNHCR')).toEqual(unhcr);
    expect(new Set(unhcr.map((s) => s.item.id)).size).toBe(unhcr.length);
    const published = (await (await fetch(`${region.aggregator.url}/v1/signing-keys`)).json()) as { keys: { keyId: string; publicKeyPem: string }[] };
    const pem = new Map(published.keys.map((k) => [k.keyId, k.publicKeyPem]));
    for (const { item } of [...unhcr, ...trAfter]) {
      expect(verifyFeedItem(item, pem.get(item.signature.keyId)!)).toBe(true);
      expect(verifyFeedItem(JSON.parse(JSON.stringify(item).replace('"kind":"', '"kind":" ')) as FeedItem, pem.get(item.signature.keyId)!)).toBe(false);
    }

    // The webhook receiver, down for its first five requests, got every item of UNHCR's feed once
    // it recovered, in order, each delivery signed (Standard Webhooks v1a: Ed25519 over
    // "{id}.{timestamp}.{body}" with the published key); a tampered body does not verify.
    await waitFor(() => hook.delivered().length === unhcr.length, { timeoutMs: 30_000, what: 'every item delivered to the webhook' });
    expect(hook.delivered()).toEqual(unhcr.map((s) => s.item.id));
    expect(hook.received.filter((r) => r.status >= 500)).toHaveLength(5);
    const hookOk = (headers: Record<string, unknown>, body: string) =>
      [...pem.values()].some((key) => verifiesDelivery(key, { headers: headers as never, body }));
    for (const [i, r] of hook.received.filter((d) => d.status < 300).entries()) {
      expect(JSON.parse(r.body)).toEqual(unhcr[i].item);
      expect(hookOk(r.headers, r.body)).toBe(true);
      expect(hookOk(r.headers, r.body.replace('"kind":"', '"kind":" '))).toBe(false);
    }

    // The integrators' Python client (clients/python, docs/integrators.md), run as UNHCR against
    // this aggregator: it verifies every item with the published key (its own RFC 8785 code),
    // catches a tampered one, and reads the SDMX-CSV of the last release's question.
    const q = (unhcr3.item.data as { query: { from: string; to: string; granularity: string; groupBy: string[] } }).query;
    const out = execFileSync(
      process.env.PYTHON ?? '/usr/bin/python3',
      [
        'clients/python/caravanserai.py',
        '--url',
        region.aggregator.url,
        'check',
        '--from',
        q.from,
        '--to',
        q.to,
        '--granularity',
        q.granularity,
        '--group-by',
        q.groupBy.join(','),
      ],
      { env: { ...process.env, CARAVANSERAI_API_KEY: region.as('org:UNHCR').authorization.replace(/^Bearer /, '') }, encoding: 'utf8' },
    );
    const [feedCheck, sdmxCheck] = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const kinds: Record<string, number> = {};
    for (const { item } of unhcr) kinds[item.kind] = (kinds[item.kind] ?? 0) + 1;
    expect(feedCheck).toEqual({ items: unhcr.length, verified: unhcr.length, kinds, tamperedDetected: true });
    const restRows = (unhcr3.item.data as { answer: { rows: unknown[] } }).answer.rows;
    expect(sdmxCheck.sdmxObservations).toBe(restRows.length);
    expect(restRows.length).toBeGreaterThan(0);

    // The live stream saw exactly the cursor feed, in order; a stream resumed after the second
    // event (Last-Event-ID) continues from the third, with neither gaps nor duplicates.
    const live = sse.get('live')!;
    await waitFor(() => live.events.length === unhcr.length, { what: 'every item on the live stream' });
    expect(live.events.map((e) => [e.id, e.event, JSON.parse(e.data)])).toEqual(unhcr.map((s) => [s.cursor, s.item.kind, s.item]));
    const resumed = sseReader(`${region.aggregator.url}/v1/feed/stream`, { ...region.as('org:UNHCR'), 'last-event-id': unhcr[1].cursor });
    sse.set('resumed', resumed);
    await waitFor(() => resumed.events.length === unhcr.length - 2, { what: 'the resumed stream caught up' });
    expect(resumed.events.map((e) => e.id)).toEqual(unhcr.slice(2).map((s) => s.cursor));
    // A Last-Event-ID this service never gave: 400, no stream.
    const bad = await fetch(`${region.aggregator.url}/v1/feed/stream`, { headers: { ...region.as('org:UNHCR'), 'last-event-id': trAfter[0].cursor } });
    expect(bad.status).toBe(400);
  });

  it('ends open streams cleanly on shutdown', async () => {
    const live = sse.get('live')!;
    await region.aggregator.stop();
    // Stopped by SIGTERM, not killed after 15 s for hanging on the open stream.
    expect(region.aggregator.exit.signal).not.toBe('SIGKILL');
    await waitFor(() => live.ended, { what: 'the stream ended by the server' });
  });
});
