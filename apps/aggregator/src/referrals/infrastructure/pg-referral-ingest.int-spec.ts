import { ReferralEvent } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementGranted, dropTestDatabase, signed, testSigningKeys, freshTestDatabase, referralLifecycle } from '@caravanserai/testing';
import { Pool } from 'pg';
import { PROVIDER_STATES, ShareableDimension } from '@caravanserai/contracts';
import type { AgreementIngest } from '../../agreements/infrastructure/pg-agreement-ingest';
import { regionalIngests } from '../../regional-ingests';
import { PgAgreementRegistry } from '../../agreements/infrastructure/pg-agreement-registry';
import type { IncomingMessage } from '../../infrastructure/batch-ingest.port';
import { QueryReferralSummaryHandler } from '../application/query-referral-summary/query-referral-summary.handler';
import { PgReferralSummaryReader } from './pg-referral-summary-reader';
import { QueryReferralSummary } from '../../kernel/messages/query-referral-summary.query';
import { rebuildReferrals } from './pg-referral-rebuild';
import { cutRelease } from '../../releases/infrastructure/pg-releases';
import type { ReferralSummaryQuery } from '../../answers/referral-summary';
import type { ReferralIngest } from './pg-referral-ingest';

const trusted = testSigningKeys().registry();

/** The referral ingest and summary on the real PostgreSQL. */
describe('ReferralIngest and the referral summary (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let ingest: ReferralIngest;
  let agreements: AgreementIngest;
  let summary: QueryReferralSummaryHandler;
  let offset = 0;

  const message = (value: unknown, partition = 0): IncomingMessage => ({
    topic: 'referrals.v1',
    partition,
    offset: String(offset++),
    key: null,
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(signed(value))),
  });
  const facts = async () =>
    (await pool.query(`SELECT stream_id, provider, status, referred_to, accepted_at, closed_at FROM referral_facts ORDER BY stream_id`)).rows;
  /** Answers read releases: cut one holding March (as if cut on 1 April, when stalled is counted), then ask. */
  const ask = async (over: Partial<ReferralSummaryQuery> = {}, principal = 'secretariat') => {
    const release = await cutRelease(pool, { dataUntil: '2026-03-31', by: 'test', reason: null });
    await pool.query(`UPDATE releases SET cut_at = '2026-04-01T00:00:00Z' WHERE release_id = $1`, [release.id]);
    return summary.execute(
      new QueryReferralSummary({ from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy: [], stalledAfterHours: 72, ...over }, principal),
    );
  };

  beforeAll(async () => {
    url = await freshTestDatabase('referral_ingest');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    ({ referrals: ingest, agreements } = regionalIngests(pool, 'test-group', trusted));
    summary = new QueryReferralSummaryHandler(new PgReferralSummaryReader(pool), new PgAgreementRegistry(pool));
    // Every state lets the secretariat see its referrals in full (k = 1): these tests check figures;
    // agreements and the cell-key method on the summary are tested at the end and in
    // query-referral-summary.int-spec.ts.
    const open = {
      scope: { eventKinds: ['referrals' as const] },
      dimensions: ['provider', 'category', 'referredTo', 'status', 'specificNeeds'] as ShareableDimension[],
    };
    await agreements.ingest(PROVIDER_STATES.map((p) => message(agreementGranted(p, open))));
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE referral_facts, released_referral_facts, regional_events, quarantine, consumer_offsets, provider_status');
  });

  it('projects a batch, and the same batch again changes nothing', async () => {
    const events = [...referralLifecycle(['made', 'acknowledged', 'accepted']), ...referralLifecycle(['made', 'declined'])];
    const batch = events.map((e) => message(e));
    expect(await ingest.ingest(batch)).toEqual({ received: 5, applied: 5, duplicates: 0, quarantined: 0 });
    const after = await facts();
    expect(after.map((f) => f.status).sort()).toEqual(['accepted', 'declined']);
    expect(await ingest.ingest(batch)).toEqual({ received: 5, applied: 0, duplicates: 5, quarantined: 0 });
    expect(await facts()).toEqual(after);
  });

  it('ends in the right state when an acceptance and a closure overtake their referral (other partitions, later batches)', async () => {
    const [made, accepted, closed] = referralLifecycle(['made', 'accepted', 'closed'], { hoursBetween: [7, 30] });
    await ingest.ingest([message(closed, 2)]);
    await ingest.ingest([message(accepted, 1)]);
    expect((await facts()).map((f) => f.status)).toEqual([null]);
    // Counted live, but only for the caller's own state (IR's referrals here).
    expect((await ask({}, 'state:IR')).awaitingReferralMade).toBe(1);
    expect((await ask()).awaitingReferralMade).toBe(0);
    expect((await ask()).totals.referrals).toBe(0);
    await ingest.ingest([message(made, 0)]);
    expect((await facts()).map((f) => f.status)).toEqual(['closed']);
    const answer = await ask({}, 'state:IR');
    expect(answer.awaitingReferralMade).toBe(0);
    expect(answer.totals).toMatchObject({ referrals: 1, accepted: 1, toAcceptance: { count: 1, medianHours: 7 }, toClosure: { count: 1, medianHours: 37 } });
  });

  it('quarantines what is not a valid referral event, and another state writing on a referral', async () => {
    const [made] = referralLifecycle(['made']);
    const [, ackOfOther] = referralLifecycle(['made', 'acknowledged']);
    const bogus = { ...ackOfOther, streamId: made.streamId, data: { ...ackOfOther.data, referralId: made.data.referralId }, provider: 'PK' };
    const result = await ingest.ingest([
      message(made),
      message('{"not json'),
      message({ ...made, eventId: '01963c4e-0000-7000-8000-0000000000ee', data: { ...made.data, referredTo: 'police' } }),
      message(bogus),
    ]);
    expect(result).toEqual({ received: 4, applied: 1, duplicates: 0, quarantined: 3 });
    const reasons = (await pool.query('SELECT reason FROM quarantine ORDER BY kafka_offset')).rows.map((r) => r.reason);
    expect(reasons).toEqual([expect.stringMatching(/^not JSON/), expect.stringMatching(/referredTo/), expect.stringMatching(/by PK on referral .* of IR/)]);
  });

  it('summarises exactly: statuses, acceptance rate, medians and 90th percentiles per pathway, stalled referrals counted', async () => {
    const events: ReferralEvent[] = [
      // child_protection: accepted after 2, 4, 10 hours, one declined, one still waiting since 1 March (stalled), one acknowledged on 30 March (not yet).
      ...referralLifecycle(['made', 'accepted'], { hoursBetween: [2] }),
      ...referralLifecycle(['made', 'acknowledged', 'accepted', 'closed'], { hoursBetween: [1, 3, 20] }),
      ...referralLifecycle(['made', 'accepted', 'closed'], { hoursBetween: [10, 100] }),
      ...referralLifecycle(['made', 'declined']),
      ...referralLifecycle(['made'], { referredAt: '2026-03-01T00:00:00Z' }),
      ...referralLifecycle(['made', 'acknowledged'], { referredAt: '2026-03-30T12:00:00Z' }),
      // medical, in PK: accepted after 1 hour, with two needs.
      ...referralLifecycle(['made', 'accepted'], {
        provider: 'PK',
        hoursBetween: [1],
        data: { referredTo: 'medical', specificNeeds: ['disability', 'serious_medical_condition'] },
      }),
      // In April: outside the period.
      ...referralLifecycle(['made'], { referredAt: '2026-04-02T00:00:00Z' }),
    ];
    await ingest.ingest(events.map((e, i) => message(e, i % 3)));
    const answer = await ask({ groupBy: ['referredTo'] });
    expect(answer.rows).toEqual([
      {
        period: '2026-03',
        referredTo: 'child_protection',
        referrals: 6,
        byStatus: { made: 1, acknowledged: 1, accepted: 1, declined: 1, closed: 2 },
        accepted: 3,
        declined: 1,
        acceptanceRate: 0.75,
        toAcceptance: { count: 3, medianHours: 4, p90Hours: 8.8 },
        toClosure: { count: 2, medianHours: 67, p90Hours: 101.4 },
        stalled: 1,
      },
      {
        period: '2026-03',
        referredTo: 'medical',
        referrals: 1,
        byStatus: { made: 0, acknowledged: 0, accepted: 1, declined: 0, closed: 0 },
        accepted: 1,
        declined: 0,
        acceptanceRate: 1,
        toAcceptance: { count: 1, medianHours: 1, p90Hours: 1 },
        toClosure: { count: 0, medianHours: null, p90Hours: null },
        stalled: 0,
      },
    ]);
    expect(answer.totals).toMatchObject({ referrals: 7, accepted: 4, declined: 1, stalled: 1, toAcceptance: { count: 4, medianHours: 3 } });

    const byNeeds = await ask({ groupBy: ['needs'], providers: ['PK'] });
    expect(byNeeds.rows.map((r) => [r.needs, r.referrals])).toEqual([
      ['disability', 1],
      ['serious_medical_condition', 1],
    ]);
    expect(byNeeds.totals.referrals).toBe(1);
    // With a shorter threshold, the referral acknowledged on 30 March is stalled too.
    expect((await ask({ stalledAfterHours: 24 })).totals.stalled).toBe(2);
  });

  it('rebuilds the projection from the regional log to what the live ingest made', async () => {
    const events = [...referralLifecycle(['made', 'declined']), ...referralLifecycle(['made', 'acknowledged', 'accepted', 'closed'])];
    // Out of order on purpose: the log's order is not the streams' order.
    await ingest.ingest([events[5], events[1]].map((e) => message(e)));
    await ingest.ingest([events[0], events[2], events[3], events[4]].map((e) => message(e)));
    const live = await facts();
    const progress = await rebuildReferrals(pool);
    expect(progress).toMatchObject({ events: 6 });
    expect(await facts()).toEqual(live);
  });

  it("shows a caller without an agreement nothing, and publishes a protected state's small rows only as 0 or k", async () => {
    const nobody = await ask({ groupBy: ['referredTo'] }, 'org:NOBODY');
    expect(nobody.rows).toEqual([]);
    expect(nobody.totals.referrals).toBe(0);
    expect(nobody.disclosure.agreements).toEqual([]);

    // KG: 6 referrals to the asylum authority, 2 to medical care; UNHCR gets them with k = 3.
    const kg = [
      ...Array.from({ length: 6 }, () => referralLifecycle(['made', 'accepted'], { provider: 'KG', data: { referredTo: 'asylum_authority' } })),
      ...Array.from({ length: 2 }, () => referralLifecycle(['made'], { provider: 'KG', data: { referredTo: 'medical' } })),
    ].flat();
    await ingest.ingest(kg.map((e) => message(e)));
    await agreements.ingest([
      message(agreementGranted('KG', { recipient: 'org:UNHCR', scope: { eventKinds: ['referrals'] }, dimensions: ['provider', 'referredTo'], minCellSize: 3 })),
    ]);
    const unhcr = await ask({ groupBy: ['provider', 'referredTo'] }, 'org:UNHCR');
    // medical (2 < 3) is published as 3 or not at all; asylum (6) moves by at most 3, never below 3.
    const medical = unhcr.rows.find((r) => r.referredTo === 'medical');
    if (medical) expect(medical.referrals).toBe(3);
    const asylum = unhcr.rows.find((r) => r.referredTo === 'asylum_authority');
    expect(asylum?.referrals).toBeGreaterThanOrEqual(3);
    expect(asylum?.referrals).toBeLessThanOrEqual(9);
    for (const r of [unhcr.totals, ...unhcr.rows]) {
      for (const v of [r.referrals, ...Object.values(r.byStatus), r.accepted, r.declined, r.stalled]) expect(v === 0 || v >= 3).toBe(true);
    }
    expect(JSON.stringify(unhcr)).not.toMatch(/suppressed/);
    expect(unhcr.disclosure.method.protected).toEqual([{ provider: 'KG', k: 3 }]);
  });
});
