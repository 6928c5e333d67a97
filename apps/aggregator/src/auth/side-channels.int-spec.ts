import { agreementGranted, bearer, issueKey, movementRecorded, testSigningKeys } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { regionalIngests } from '../regional-ingests';
import type { IncomingMessage } from '../infrastructure/batch-ingest.port';
import { InProcessAggregator, startInProcessAggregator } from '../testing/in-process-aggregator';
import { signedMessages } from '../testing/signed-messages';

/**
 * The side channels of issue 13, in-process on the real PostgreSQL: the quarantine, node status
 * and the audit trail must not tell a recipient more than its agreements do. Iran shares with the
 * secretariat, Afghanistan with anyone (`*`), Pakistan with UNHCR only, Turkmenistan's grant to
 * the secretariat has expired, Kazakhstan granted nothing; each sent three movements, and one
 * message could not be read (quarantined).
 */
describe('side channels at the aggregator (PostgreSQL)', () => {
  let aggregator: InProcessAggregator | undefined;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  type Who = 'secretariat' | 'state:IR' | 'state:KZ' | 'org:UNHCR' | 'admin';
  const key = {} as Record<Who, Record<string, string>>;
  const { msg, raw } = signedMessages();
  const get = (path: string, who: Who) => app.inject({ method: 'GET', url: path, headers: key[who] });
  const FLOWS = '/v1/flows?from=2026-03-01&to=2026-03-31&granularity=month&groupBy=route';
  const grants = {
    IR: agreementGranted('IR', { recipient: 'secretariat', dimensions: ['route'] }),
    AF: agreementGranted('AF', { recipient: '*', dimensions: ['route'] }),
    PK: agreementGranted('PK', { recipient: 'org:UNHCR', dimensions: ['route'] }),
    TM: agreementGranted('TM', { recipient: 'secretariat', dimensions: ['route'], validFrom: '2020-01-01', validUntil: '2021-12-31' }),
  };

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('agg_side');
    ({ app, pool } = aggregator);
    url = aggregator.url;
    await regionalIngests(pool, 'g', testSigningKeys().registry()).agreements.ingest(Object.values(grants).map(msg));
    // Each provider's own crossing point, entered from the state it faces.
    const crossings = {
      IR: ['IR-DOGHAROUN', 'AF'],
      AF: ['AF-ISLAMQALA', 'IR'],
      PK: ['PK-TORKHAM', 'AF'],
      TM: ['TM-IMAMNAZAR', 'AF'],
      KZ: ['KZ-KORDAY', 'KG'],
    } as const;
    const movements = Object.entries(crossings).flatMap(([provider, [borderCrossingPoint, departedFrom]]) =>
      Array.from({ length: 3 }, () =>
        msg(movementRecorded({ provider, occurredOn: '2026-03-05', data: { borderCrossingPoint, departedFrom, intendedDestination: 'TR' } })),
      ),
    );
    const unreadable: IncomingMessage = raw('not json');
    await regionalIngests(pool, 'g', testSigningKeys().registry()).movements.ingest([...movements, unreadable]);
    for (const who of ['secretariat', 'state:IR', 'state:KZ', 'org:UNHCR'] as const) key[who] = bearer(await issueKey(url, 'aggregator', who, 'reader'));
    key.admin = bearer(await issueKey(url, 'aggregator', 'admin', 'admin'));
  });

  afterAll(async () => {
    await aggregator?.close();
  });

  describe('GET /v1/quarantine: record-level payloads of any state', () => {
    it('goes to the aggregator admin only; the secretariat, states and organisations get 403', async () => {
      const admin = await get('/v1/quarantine', 'admin');
      expect(admin.statusCode).toBe(200);
      expect(admin.json().items).toHaveLength(1);
      for (const who of ['secretariat', 'state:IR', 'org:UNHCR'] as const) {
        const res = await get('/v1/quarantine', who);
        expect([who, res.statusCode]).toEqual([who, 403]);
        expect(res.body).not.toContain('not json');
      }
    });
  });

  describe('GET /v1/nodes: volumes only within what the caller may see', () => {
    it('shows the admin every provider with its counts, every partition and the quarantine', async () => {
      const res = (await get('/v1/nodes', 'admin')).json();
      expect(res.providers.map((p: { provider: string }) => p.provider)).toEqual(['AF', 'IR', 'KZ', 'PK', 'TM']);
      expect(res.providers.every((p: { eventsReceived: number }) => p.eventsReceived === 3)).toBe(true);
      expect(res.providers[0]).toEqual(expect.objectContaining({ lastEventId: expect.any(String), lastEventDelayMs: expect.any(Number) }));
      expect(res.lag).toHaveProperty('partitions');
      expect(res.quarantine).toMatchObject({ open: 1 });
    });

    it('shows the secretariat only coarse health (no volume) of the providers that granted it something in force today', async () => {
      const res = (await get('/v1/nodes', 'secretariat')).json();
      // AF (to anyone) and IR (to the secretariat); not PK (UNHCR only), TM (expired), KZ (nothing).
      expect(res.providers.map((p: { provider: string }) => p.provider)).toEqual(['AF', 'IR']);
      for (const p of res.providers) {
        expect(Object.keys(p).sort()).toEqual(['healthy', 'lastEventReceivedAt', 'pooled', 'provider']);
        expect(p).toMatchObject({ pooled: true, healthy: true });
        expect(p.lastEventReceivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
      }
      expect(res.lag).not.toHaveProperty('partitions');
      expect(res.lag).toHaveProperty('total');
      expect(res.lag).toHaveProperty('byTopic');
      expect(res).not.toHaveProperty('quarantine');
      expect(JSON.stringify(res)).not.toMatch(/eventsReceived|lastEventId|lastEventDelayMs|PK|TM|KZ/);
    });

    it('shows a state its own node in full, no other, and the lag per topic only', async () => {
      const res = (await get('/v1/nodes', 'state:KZ')).json();
      expect(res.providers).toEqual([expect.objectContaining({ provider: 'KZ', eventsReceived: 3, lastEventId: expect.any(String) })]);
      expect(res.lag).not.toHaveProperty('partitions');
      expect(res).not.toHaveProperty('quarantine');
    });
  });

  describe('GET /v1/nodes: what waits for an upgrade', () => {
    it('counts it per provider, type and version for the admin and, its own only, for a state; the secretariat sees none', async () => {
      const wait = (provider: string, type: string, version: number, offset: number) =>
        pool.query(
          `INSERT INTO awaiting_upgrade (topic, kafka_partition, kafka_offset, payload, event_id, type, schema_version, provider, stream_id, reason)
           VALUES ('t', 0, $4, '\\x7b7d', gen_random_uuid(), $2, $3, $1, 'movement-' || gen_random_uuid(), 'newer')`,
          [provider, type, version, offset],
        );
      await wait('KZ', 'MovementRecorded', 3, 1);
      await wait('KZ', 'MovementRecorded', 3, 2);
      await wait('KZ', 'MovementRetracted', 1, 3);
      await wait('PK', 'MovementRecorded', 3, 4);
      try {
        expect((await get('/v1/nodes', 'admin')).json().awaitingUpgrade).toEqual([
          { provider: 'KZ', type: 'MovementRecorded', schemaVersion: 3, events: 2 },
          { provider: 'KZ', type: 'MovementRetracted', schemaVersion: 1, events: 1 },
          { provider: 'PK', type: 'MovementRecorded', schemaVersion: 3, events: 1 },
        ]);
        expect((await get('/v1/nodes', 'state:KZ')).json().awaitingUpgrade).toEqual([
          { provider: 'KZ', type: 'MovementRecorded', schemaVersion: 3, events: 2 },
          { provider: 'KZ', type: 'MovementRetracted', schemaVersion: 1, events: 1 },
        ]);
        expect((await get('/v1/nodes', 'state:IR')).json().awaitingUpgrade).toEqual([]);
        expect((await get('/v1/nodes', 'secretariat')).json()).not.toHaveProperty('awaitingUpgrade');
      } finally {
        await pool.query('DELETE FROM awaiting_upgrade');
      }
    });
  });

  describe('GET /v1/audit: a reader sees its own queries; a state also who drew on its data, reduced', () => {
    type Entry = { id: number; principal: string; endpoint: string; agreements: { provider: string; agreement: string }[]; [field: string]: unknown };
    const read = async (who: Who, query = '') => {
      const res = await get(`/v1/audit?limit=500${query}`, who);
      return { status: res.statusCode, entries: (res.json().entries ?? []) as Entry[] };
    };

    beforeAll(async () => {
      for (const who of ['secretariat', 'org:UNHCR', 'state:IR', 'state:KZ'] as const) expect((await get(FLOWS, who)).statusCode).toBe(200);
    });

    it('lets the admin read every entry', async () => {
      const all = await read('admin');
      expect(all.status).toBe(200);
      const flows = all.entries.filter((e) => e.endpoint === 'GET /v1/flows').map((e) => e.principal);
      expect(flows.sort()).toEqual(['org:UNHCR', 'secretariat', 'state:IR', 'state:KZ']);
    });

    it('shows the secretariat, a state and an organisation only their own queries', async () => {
      for (const who of ['secretariat', 'state:IR', 'org:UNHCR'] as const) {
        const own = await read(who);
        expect([who, own.status]).toEqual([who, 200]);
        expect(own.entries.some((e) => e.endpoint === 'GET /v1/flows')).toBe(true);
        expect(own.entries.filter((e) => e.principal !== who)).toEqual([]);
      }
      const ir = (await read('state:IR')).entries.find((e) => e.endpoint === 'GET /v1/flows')!;
      // Its own data and Afghanistan's grant to anyone: both agreements Iran is party to.
      expect(ir.agreements.map((a) => [a.provider, a.agreement])).toEqual([
        ['AF', grants.AF.data.agreementId],
        ['IR', 'own-data'],
      ]);
    });

    it('with about=mine, shows a state the others’ queries that drew on its data: when, who, which endpoint, why, and its own agreement only', async () => {
      const mine = await read('state:IR', '&about=mine');
      expect(mine.status).toBe(200);
      const flows = mine.entries.filter((e) => e.endpoint === 'GET /v1/flows');
      // The secretariat drew on Iran's data; UNHCR and Kazakhstan did not; Iran's own queries are not "others'".
      expect(flows.map((e) => e.principal)).toEqual(['secretariat']);
      expect(mine.entries.every((e) => e.principal !== 'state:IR')).toBe(true);
      for (const e of mine.entries) {
        expect(Object.keys(e).sort()).toEqual(['agreements', 'at', 'endpoint', 'excluded', 'id', 'principal', 'purpose']);
        expect(e.agreements.every((a) => a.provider === 'IR')).toBe(true);
      }
      expect(flows[0].agreements.map((a) => a.agreement)).toEqual([grants.IR.data.agreementId]);
      expect(JSON.stringify(mine.entries)).not.toContain(grants.AF.data.agreementId);
    });

    it('keeps about=mine for states, and its provider filter to the state’s own', async () => {
      expect((await read('secretariat', '&about=mine')).status).toBe(403);
      expect((await read('state:IR', '&about=mine&provider=AF')).status).toBe(400);
      expect((await read('state:IR', '&about=mine&provider=IR')).status).toBe(200);
    });
  });
});
