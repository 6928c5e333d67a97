import { TOPICS } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementAmended, agreementGranted, dropTestDatabase, signed, testSigningKeys, freshTestDatabase, referralLifecycle } from '@caravanserai/testing';
import { Pool } from 'pg';
import { regionalIngests } from '../../regional-ingests';
import type { IncomingMessage } from '../../infrastructure/batch-ingest.port';
import { replayQuarantined } from './pg-quarantine-replay';

const trusted = testSigningKeys().registry();

/** Replay reaches each topic's own ingest step (PostgreSQL). */
describe('replayQuarantined across topics (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let offset = 0;
  const message = (topic: string, value: unknown): IncomingMessage => ({
    topic,
    partition: 0,
    offset: String(offset++),
    key: null,
    value: Buffer.from(JSON.stringify(signed(value))),
  });
  const quarantinedIds = async () => (await pool.query('SELECT id, topic FROM quarantine ORDER BY id')).rows;

  beforeAll(async () => {
    url = await freshTestDatabase('replay');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('replays an agreement amendment that overtook its grant, through the agreement ingest', async () => {
    const regional = regionalIngests(pool, 'g', trusted);
    const agreements = regional.agreements;
    const ingests = { [TOPICS.movements]: regional.movements, [TOPICS.agreements]: agreements, [TOPICS.referrals]: regional.referrals };
    const grant = agreementGranted('AF');
    const amendment = agreementAmended(grant, { minCellSize: 7 });
    await agreements.ingest([message(`x.${TOPICS.agreements}`, amendment)]);
    const [quarantined] = await quarantinedIds();
    expect(await replayQuarantined(pool, ingests, quarantined.id)).toMatchObject({ status: 'rejected' });

    await agreements.ingest([message(`x.${TOPICS.agreements}`, grant)]);
    expect(await replayQuarantined(pool, ingests, quarantined.id)).toEqual({ status: 'applied', id: quarantined.id });
    const { rows } = await pool.query('SELECT terms->>$2 AS k, version FROM agreements WHERE agreement_id = $1', [grant.data.agreementId, 'minCellSize']);
    expect(rows).toEqual([{ k: '7', version: 2 }]);
    expect(await replayQuarantined(pool, ingests, quarantined.id)).toMatchObject({ status: 'already_replayed' });
  });

  it('replays a corrected referral event through the referral ingest', async () => {
    const regional = regionalIngests(pool, 'g', trusted);
    const ingests = { [TOPICS.movements]: regional.movements, [TOPICS.agreements]: regional.agreements, [TOPICS.referrals]: regional.referrals };
    const [made] = referralLifecycle(['made'], { provider: 'KG' });
    await regionalIngests(pool, 'g', trusted).referrals.ingest([message(`x.${TOPICS.referrals}`, { ...made, type: 'ReferralTeleported' })]);
    const last = (await quarantinedIds()).pop();
    expect(last.topic).toBe(`x.${TOPICS.referrals}`);
    expect(await replayQuarantined(pool, ingests, last.id, JSON.stringify(signed(made)))).toEqual({ status: 'applied', id: last.id });
    expect((await pool.query('SELECT count(*)::int AS n FROM regional_events WHERE event_id = $1', [made.eventId])).rows[0].n).toBe(1);
  });
});
