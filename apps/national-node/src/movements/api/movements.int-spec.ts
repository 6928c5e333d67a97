import { bearer, issueKey } from '@caravanserai/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { InProcessNode, startInProcessNode } from '../../testing/in-process-node';

/** The node's HTTP contract, in-process on the real PostgreSQL (and the real broker for the outbox). */
describe('POST /v1/movements (PostgreSQL)', () => {
  let node: InProcessNode;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  let auth: Record<string, string>;

  const record = (i: number, over: Record<string, unknown> = {}) => ({
    recordId: `IR-INT-${i}`,
    crossedAt: '2026-03-02T08:15:00+03:30',
    direction: 'entry',
    borderCrossingPoint: 'IR-DOGHAROUN',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: 'TR',
    category: 'asylum_seeker',
    sex: 'female',
    dateOfBirth: '1990-06-01',
    fullName: 'Test Person',
    ...over,
  });
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/movements', payload: payload as object, headers: { ...auth, ...headers } });
  const events = async () => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);

  beforeAll(async () => {
    node = await startInProcessNode('node_http', 'IR');
    ({ app, url, pool } = node);
    auth = bearer(await issueKey(url, 'node', 'state:IR', 'ingest'));
  });

  afterAll(async () => {
    await node?.close();
  });

  it('refuses a batch with any invalid record: 422, every error by index and field, nothing stored', async () => {
    const res = await post({
      records: [record(1), record(2, { category: 'tourist', citizenship: 'QQ', extra: 1 }), record(3, { crossedAt: '2026-03-02' })],
    });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('VALIDATION.FAILED');
    expect(body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`).sort()).toEqual(
      ['1:category', '1:citizenship', '1:extra', '2:crossedAt'].sort(),
    );
    expect(await events()).toBe(0);
  });

  it('refuses a crossing point of another state, naming the record', async () => {
    const res = await post({ records: [record(1), record(2, { borderCrossingPoint: 'AF-ISLAMQALA' })] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ index: 1, field: 'borderCrossingPoint', message: expect.stringMatching(/AF-ISLAMQALA is in AF, not in IR/) }]);
    expect(await events()).toBe(0);
  });

  it('answers malformed JSON with 400, another content type with 415, an oversized body with 413', async () => {
    expect((await post('{"records": [', { 'content-type': 'application/json' })).statusCode).toBe(400);
    expect((await post('records', { 'content-type': 'text/plain' })).statusCode).toBe(415);
    const big = { records: Array.from({ length: 400 }, (_, i) => record(i, { notes: 'x'.repeat(200) })) };
    const res = await post(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('REQUEST.BODY_TOO_LARGE');
    expect((await post({ records: [] })).statusCode).toBe(422);
    expect(await events()).toBe(0);
  });

  it('stores a batch once: accepted, then duplicates with the same event ids, even when posted concurrently', async () => {
    const batch = { records: Array.from({ length: 50 }, (_, i) => record(100 + i)) };
    const [a, b] = await Promise.all([post(batch), post(batch)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const accepted = [a.json(), b.json()].map((r) => r.accepted).sort();
    expect(accepted).toEqual([0, 50]);
    expect(a.json().results.map((r: { eventId: string }) => r.eventId)).toEqual(b.json().results.map((r: { eventId: string }) => r.eventId));
    expect(await events()).toBe(50);
  });

  it('retracts a movement once; a second retraction is a conflict, an unknown one is not found', async () => {
    const { results } = (await post({ records: [record(500)] })).json();
    const eventId = results[0].eventId;
    const retract = (id: string) => app.inject({ method: 'POST', url: `/v1/movements/${id}/retraction`, payload: { reason: 'wrong_record' }, headers: auth });
    expect((await retract(eventId)).statusCode).toBe(201);
    const again = await retract(eventId);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('MOVEMENT.ALREADY_RETRACTED');
    expect((await retract('01963c4e-0000-7000-8000-0000000000ff')).statusCode).toBe(404);
    expect((await retract('not-a-uuid')).statusCode).toBe(400);
  });

  it('serves the reference code lists', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/reference', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.borderCrossingPoints).toHaveLength(80);
    expect(body.countries.codes).toEqual(expect.arrayContaining(['AF', 'XX', 'ZZ']));
  });
});
