import { bearer, issueKey, uniqueSuffix } from '@caravanserai/testing';
import { Pool } from 'pg';
import { InProcessNode, startInProcessNode } from '../../testing/in-process-node';

/** The node's referral API on the real PostgreSQL, listening on a port: concurrent commands are
 * real concurrent HTTP requests, each with its own database connection. */
describe('referrals at the node (PostgreSQL, HTTP)', () => {
  let node: InProcessNode;
  let base: string;
  let url: string;
  let pool: Pool;
  let auth: Record<string, string>;
  const suffix = uniqueSuffix();

  const record = (i: number, over: Record<string, unknown> = {}) => ({
    recordId: `IR-REF-${suffix}-${i}`,
    referredAt: '2026-03-02T08:15:00+03:30',
    category: 'unaccompanied_child',
    specificNeeds: ['unaccompanied_or_separated_child'],
    sex: 'male',
    dateOfBirth: '2011-01-01',
    borderCrossingPoint: 'IR-DOGHAROUN',
    referredTo: 'child_protection',
    fullName: 'Test Person',
    ...over,
  });
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, read member by member
    return { status: res.status, body: (await res.json()) as any };
  };
  const make = async (n: number, from = 0) => {
    const res = await send('POST', '/v1/referrals', { records: Array.from({ length: n }, (_, i) => record(from + i)) });
    expect(res.status).toBe(200);
    return res.body.results.map((r: { referralId: string }) => r.referralId) as string[];
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].count);

  beforeAll(async () => {
    node = await startInProcessNode('node_referrals', 'IR', { bodyLimit: 1024 * 1024, listen: true });
    ({ base, url, pool } = node);
    auth = bearer(await issueKey(url, 'node', 'state:IR', 'ingest'));
  });

  afterAll(async () => {
    await node?.close();
  });

  it('refuses a batch with any invalid record: 422 by index and field, nothing stored', async () => {
    // Shape and code lists first (the DTO), then what needs several fields or the node's data.
    const shape = await send('POST', '/v1/referrals', {
      records: [record(1), record(2, { referredTo: 'police' }), record(3, { referredAt: '2026-03-02T08:15' })],
    });
    expect(shape.status).toBe(422);
    expect(shape.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`)).toEqual(['1:referredTo', '2:referredAt']);
    const consistency = await send('POST', '/v1/referrals', {
      records: [
        record(1),
        record(2, { province: 'IR-11' }),
        record(3, { borderCrossingPoint: undefined }),
        record(4, { movementEventId: '01963c4e-0000-7000-8000-0000000000ff' }),
        record(5, { borderCrossingPoint: 'PK-TORKHAM' }),
      ],
    });
    expect(consistency.status).toBe(422);
    expect(consistency.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`)).toEqual([
      '1:province',
      '2:borderCrossingPoint',
      '3:movementEventId',
      '4:borderCrossingPoint',
    ]);
    expect(consistency.body.message).toMatch(/nothing was stored/);
    expect(await count('SELECT count(*) FROM events')).toBe(0);
  });

  it('records a batch once, anonymised; posting it again answers the same referral ids', async () => {
    const batch = { records: [record(10), record(11, { borderCrossingPoint: null, province: 'IR-11', specificNeeds: [] })] };
    const first = await send('POST', '/v1/referrals', batch);
    const again = await send('POST', '/v1/referrals', batch);
    expect([first.body.accepted, again.body.accepted, again.body.duplicates]).toEqual([2, 0, 2]);
    expect(again.body.results.map((r: { referralId: string }) => r.referralId)).toEqual(first.body.results.map((r: { referralId: string }) => r.referralId));
    const stored = JSON.stringify((await pool.query(`SELECT data FROM events WHERE type = 'ReferralMade'`)).rows);
    expect(stored).not.toContain('Test Person');
    expect(stored).not.toContain(suffix);
    expect(stored).not.toContain('2011-01-01');
    const topics = (await pool.query(`SELECT DISTINCT topic FROM outbox o JOIN events e USING (global_position) WHERE e.type = 'ReferralMade'`)).rows;
    expect(topics).toEqual([{ topic: `${node.prefix}referrals.v1` }]);
  });

  it('links a referral to a movement recorded at this node', async () => {
    const movement = await send('POST', '/v1/movements', {
      records: [
        {
          recordId: `M-${suffix}`,
          crossedAt: '2026-03-02T08:00:00+03:30',
          direction: 'entry',
          borderCrossingPoint: 'IR-DOGHAROUN',
          citizenship: 'AF',
          category: 'refugee',
          sex: 'female',
        },
      ],
    });
    const movementEventId = movement.body.results[0].eventId;
    const [id] = (await send('POST', '/v1/referrals', { records: [record(20, { movementEventId })] })).body.results.map(
      (r: { referralId: string }) => r.referralId,
    );
    expect((await send('GET', `/v1/referrals/${id}`)).body.referral.movementEventId).toBe(movementEventId);
  });

  it('walks a referral through its lifecycle and shows it with its history', async () => {
    const [id] = await make(1, 30);
    expect((await send('POST', `/v1/referrals/${id}/acknowledgement`, { at: '2026-03-02T09:40:00+03:30' })).status).toBe(201);
    const accepted = await send('POST', `/v1/referrals/${id}/acceptance`, { at: '2026-03-03T12:00:00+03:30' });
    expect(accepted).toMatchObject({ status: 201, body: { status: 'accepted', type: 'ReferralAccepted', streamVersion: 3 } });
    expect((await send('POST', `/v1/referrals/${id}/closure`, { at: '2026-03-05T12:00:00Z', outcome: 'services_provided' })).status).toBe(201);
    const view = await send('GET', `/v1/referrals/${id}`);
    expect(view.body).toMatchObject({
      referralId: id,
      provider: 'IR',
      status: 'closed',
      version: 4,
      allowedCommands: [],
      referral: { referredAt: '2026-03-02T04:00:00Z', referredTo: 'child_protection', ageBand: '12-17' },
      acknowledgedAt: '2026-03-02T06:00:00Z',
      acceptedAt: '2026-03-03T08:00:00Z',
      closed: { at: '2026-03-05T12:00:00Z', outcome: 'services_provided' },
    });
    expect(view.body.history.map((h: { type: string }) => h.type)).toEqual(['ReferralMade', 'ReferralAcknowledged', 'ReferralAccepted', 'ReferralClosed']);
  });

  it('refuses illegal transitions with 409, the status and the allowed commands; bad input with 4xx; unknown with 404', async () => {
    const [id] = await make(1, 40);
    expect((await send('POST', `/v1/referrals/${id}/decline`, { reason: 'no_capacity' })).status).toBe(201);
    const accept = await send('POST', `/v1/referrals/${id}/acceptance`, {});
    expect(accept).toMatchObject({ status: 409, body: { code: 'REFERRAL.ILLEGAL_TRANSITION', status: 409, referralStatus: 'declined', allowedCommands: [] } });
    expect((await send('POST', `/v1/referrals/${id}/closure`, { outcome: 'other' })).status).toBe(409);

    const [other] = await make(1, 41);
    expect((await send('POST', `/v1/referrals/${other}/closure`, { outcome: 'withdrawn' })).status).toBe(201);
    expect((await send('POST', `/v1/referrals/${other}/closure`, { outcome: 'withdrawn' })).body).toMatchObject({
      code: 'REFERRAL.ILLEGAL_TRANSITION',
      referralStatus: 'closed',
    });

    const [third] = await make(1, 42);
    expect((await send('POST', `/v1/referrals/${third}/decline`, { reason: 'because' })).status).toBe(422);
    expect((await send('POST', `/v1/referrals/${third}/acceptance`, { at: '2026-03-01T00:00:00Z' })).body).toMatchObject({
      code: 'REFERRAL.TIME_BEFORE_PREVIOUS',
    });
    expect((await send('POST', `/v1/referrals/${third}/acceptance`, { at: 'yesterday' })).status).toBe(422);
    expect((await send('GET', `/v1/referrals/${third}`)).body).toMatchObject({
      status: 'made',
      version: 1,
      allowedCommands: ['AcknowledgeReferral', 'AcceptReferral', 'DeclineReferral', 'CloseReferral'],
    });
    expect((await send('POST', '/v1/referrals/01963c4e-0000-7000-8000-0000000000ff/acceptance', {})).status).toBe(404);
    expect((await send('GET', '/v1/referrals/not-a-uuid')).status).toBe(400);
  });

  it('lets exactly one of two conflicting concurrent commands win; the loser gets 409 and nothing of it is stored', async () => {
    const ids = await make(30, 100);
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const [accept, decline] = await Promise.all([
          send('POST', `/v1/referrals/${id}/acceptance`, {}),
          send('POST', `/v1/referrals/${id}/decline`, { reason: 'no_capacity' }),
        ]);
        return {
          id,
          statuses: [accept.status, decline.status].sort(),
          winner: accept.status === 201 ? 'accepted' : 'declined',
          loser: accept.status === 201 ? decline.body : accept.body,
        };
      }),
    );
    for (const o of outcomes) {
      expect(o.statuses).toEqual([201, 409]);
      expect(o.loser).toMatchObject({ code: 'REFERRAL.ILLEGAL_TRANSITION', referralStatus: o.winner });
      const view = (await send('GET', `/v1/referrals/${o.id}`)).body;
      expect([view.status, view.version, view.history.length]).toEqual([o.winner, 2, 2]);
    }
  });

  it('applies two compatible concurrent commands one after the other (the loser of the race is decided again)', async () => {
    const ids = await make(20, 200);
    for (const id of ids) {
      const [ack, accept] = await Promise.all([send('POST', `/v1/referrals/${id}/acknowledgement`, {}), send('POST', `/v1/referrals/${id}/acceptance`, {})]);
      const view = (await send('GET', `/v1/referrals/${id}`)).body;
      // Either order is possible; whichever lost the race saw the other's event and was decided on it.
      if (ack.status === 201) {
        expect([accept.status, view.status, view.version]).toEqual([201, 'accepted', 3]);
      } else {
        expect(ack.body).toMatchObject({ code: 'REFERRAL.ILLEGAL_TRANSITION', referralStatus: 'accepted' });
        expect([accept.status, view.status, view.version]).toEqual([201, 'accepted', 2]);
      }
    }
    expect(await count(`SELECT count(*) FROM (SELECT stream_id FROM events GROUP BY stream_id, stream_version HAVING count(*) > 1) d`)).toBe(0);
  });
});
