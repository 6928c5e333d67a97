import { DomainError } from '@caravanserai/contracts';
import { signingInput } from '@caravanserai/crypto';
import { createPublicKey, verify } from 'node:crypto';
import { FeedSigner } from '../../answers/feed-item';
import { InProcessAggregator, startInProcessAggregator } from '../../testing/in-process-aggregator';
import { SecretariatLog, type SecretariatEvent, type UnsignedSecretariatEvent } from '../../kernel/ports/secretariat-log';

const event = (streamVersion: number, data: Record<string, unknown> = { n: streamVersion }): UnsignedSecretariatEvent => ({
  streamId: 'scenario-test',
  streamVersion,
  type: 'Tested',
  data,
  recordedBy: 'secretariat',
  recordedAt: new Date(Date.UTC(2026, 11, 1, 0, streamVersion)).toISOString(),
});

/** What a reader does: Ed25519 over the canonical JSON of the event without seq and signature. */
function verifies(e: SecretariatEvent, publicKeyPem: string): boolean {
  const { seq: _seq, signature, ...unsigned } = e;
  return verify(null, signingInput(unsigned), createPublicKey(publicKeyPem), Buffer.from(signature.value, 'base64url'));
}

describe('SecretariatLog (real PostgreSQL)', () => {
  let aggregator: InProcessAggregator;
  let log: SecretariatLog;
  let publicKeyPem: string;

  beforeAll(async () => {
    aggregator = await startInProcessAggregator('secretariat_log', { env: { CONSUME: 'false' } });
    log = aggregator.app.get(SecretariatLog);
    publicKeyPem = aggregator.app.get(FeedSigner).publicKeyPem;
  }, 60_000);
  afterAll(() => aggregator?.close());

  it('appends versioned, signed events and reads them back as stored, the signature verifying over the stored form', async () => {
    await log.append([event(1), event(2, { planningFigure: 1200, note: 'ёж' })]);
    const stream = await log.stream('scenario-test');
    expect(stream.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
      [1, 'Tested', { n: 1 }],
      [2, 'Tested', { planningFigure: 1200, note: 'ёж' }],
    ]);
    for (const e of stream) expect(verifies(e, publicKeyPem)).toBe(true);
    const tampered = { ...stream[1], data: { planningFigure: 1201, note: 'ёж' } };
    expect(verifies(tampered, publicKeyPem)).toBe(false);
    expect((await log.ofTypes(['Tested'], stream[0].seq)).map((e) => e.streamVersion)).toEqual([2]);
  });

  it('refuses an append at a version already taken with a conflict, writing nothing of the batch', async () => {
    const before = await aggregator.pool.query(`SELECT count(*)::int AS n FROM secretariat_events`);
    // Version 3 is free, version 2 is taken: the batch is one append, so version 3 is not kept either.
    await expect(log.append([event(3), event(2, { other: true })])).rejects.toMatchObject({
      code: 'SECRETARIAT.CONFLICT',
      kind: 'conflict',
    } as Partial<DomainError>);
    const after = await aggregator.pool.query(`SELECT count(*)::int AS n FROM secretariat_events`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await log.stream('scenario-test')).map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it('is append-only: an update or a delete is refused by the database', async () => {
    await expect(aggregator.pool.query(`UPDATE secretariat_events SET data = '{}'`)).rejects.toThrow(/append-only/);
    await expect(aggregator.pool.query(`DELETE FROM secretariat_events`)).rejects.toThrow(/append-only/);
    await expect(aggregator.pool.query(`TRUNCATE secretariat_events`)).rejects.toThrow(/append-only/);
  });
});
