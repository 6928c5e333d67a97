import { ReferralEvent, ShareableDimension } from '@caravanserai/contracts';
import { locateMigrations, migrate } from '@caravanserai/database';
import { agreementGranted, dropTestDatabase, freshTestDatabase, referralLifecycle, testSigningKeys } from '@caravanserai/testing';
import { Pool } from 'pg';
import { regionalIngests } from '../../../regional-ingests';
import { PgAgreementRegistry } from '../../../agreements/infrastructure/pg-agreement-registry';
import { KEY_RANGE, perturb, recordKey } from '../../../disclosure/domain/cell-key';
import { cutRelease } from '../../../releases/infrastructure/pg-releases';
import type { ReferralSummary, ReferralSummaryQuery } from '../../../answers/referral-summary';
import type { ReferralIngest } from '../../infrastructure/pg-referral-ingest';
import { QueryReferralSummaryHandler } from './query-referral-summary.handler';
import { PgReferralSummaryReader } from '../../infrastructure/pg-referral-summary-reader';
import { QueryReferralSummary } from '../../../kernel/messages/query-referral-summary.query';
import { signedMessages } from '../../../testing/signed-messages';

const trusted = testSigningKeys().registry();
const ALL: ShareableDimension[] = ['provider', 'category', 'referredTo', 'status', 'specificNeeds'];

/**
 * Referral summaries under the cell-key method, on the real PostgreSQL: from releases only, every
 * count published part by part (own state and k = 1 exact, others perturbed with their k), totals
 * over distinct referrals, durations only over parts that may be shown.
 */
describe('QueryReferralSummaryHandler under the cell-key method (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let ingest: ReferralIngest;
  let handler: QueryReferralSummaryHandler;
  let secret: Buffer;
  const { msg } = signedMessages();
  const ask = (principal: string, q: Partial<ReferralSummaryQuery> = {}): Promise<ReferralSummary> =>
    handler.execute(
      new QueryReferralSummary({ from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy: [], stalledAfterHours: 72, ...q }, principal),
    );
  const send = (events: ReferralEvent[][]) => ingest.ingest(events.flat().map(msg));
  /** What the method publishes for one protected part: its true count and its referrals' key sum. */
  const expected = (referrals: ReferralEvent[][], k: number) =>
    perturb(
      referrals.length,
      referrals.reduce((s, r) => (s + recordKey(secret, r[0].streamId)) % KEY_RANGE, 0),
      k,
    );
  const figuresOf = (a: ReferralSummary) =>
    [a.totals, ...a.rows].flatMap((r) => [
      r.referrals,
      ...Object.values(r.byStatus),
      r.accepted,
      r.declined,
      r.toAcceptance.count,
      r.toClosure.count,
      r.stalled,
    ]);

  // March. IR (k = 5 for the secretariat): 7 to child protection, accepted after 2 hours each, and
  // 2 to medical care, still waiting. PK (k = 1): 3 to medical care, accepted after 10 hours.
  const irChild = Array.from({ length: 7 }, (_, i) =>
    referralLifecycle(['made', 'accepted'], {
      referredAt: `2026-03-${String(2 + i).padStart(2, '0')}T08:00:00Z`,
      hoursBetween: [2],
      data: { referredTo: 'child_protection' },
    }),
  );
  const irMedical = Array.from({ length: 2 }, () => referralLifecycle(['made'], { data: { referredTo: 'medical', specificNeeds: ['disability'] } }));
  const pkMedical = Array.from({ length: 3 }, () =>
    referralLifecycle(['made', 'accepted'], {
      provider: 'PK',
      hoursBetween: [10],
      data: { referredTo: 'medical', specificNeeds: ['disability', 'serious_medical_condition'] },
    }),
  );
  // April. TM (k = 3): 2 referrals, each with two needs.
  const tmTwoNeeds = Array.from({ length: 2 }, () =>
    referralLifecycle(['made'], {
      provider: 'TM',
      referredAt: '2026-04-06T08:00:00Z',
      data: { referredTo: 'medical', specificNeeds: ['disability', 'serious_medical_condition'] },
    }),
  );

  beforeAll(async () => {
    url = await freshTestDatabase('referral_summary');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 4 });
    const ingests = regionalIngests(pool, 'g', trusted);
    ingest = ingests.referrals;
    handler = new QueryReferralSummaryHandler(new PgReferralSummaryReader(pool), new PgAgreementRegistry(pool));
    secret = (await pool.query('SELECT secret FROM cell_key_secret')).rows[0].secret;
    const referrals = { scope: { eventKinds: ['referrals' as const] }, dimensions: ALL };
    await ingests.agreements.ingest([
      msg(agreementGranted('IR', { ...referrals, minCellSize: 5 })),
      msg(agreementGranted('PK', { ...referrals, minCellSize: 1 })),
      msg(agreementGranted('TM', { ...referrals, minCellSize: 3 })),
    ]);
    await send([...irChild, ...irMedical, ...pkMedical, ...tmTwoNeeds]);
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('answers nothing before the first release, and says so', async () => {
    const answer = await ask('secretariat', { groupBy: ['referredTo'] });
    expect(answer.release).toBeNull();
    expect(answer.asOf).toBeNull();
    expect(answer.rows).toEqual([]);
    expect(answer.totals).toMatchObject({ referrals: 0, accepted: 0, stalled: 0, acceptanceRate: null, toAcceptance: { count: 0, medianHours: null } });
    expect(answer.disclosure.release).toBeNull();
  });

  it("shows a state its own referrals exactly, small groups, durations and stalled as of the release's cut included", async () => {
    const release = await cutRelease(pool, { dataUntil: '2026-04-30', by: 'test', reason: null });
    const own = await ask('state:IR', { groupBy: ['referredTo'] });
    expect(own.release).toEqual(release);
    expect(own.asOf).toBe(release.cutAt);
    expect(own.rows).toEqual([
      expect.objectContaining({
        period: '2026-03',
        referredTo: 'child_protection',
        referrals: 7,
        accepted: 7,
        toAcceptance: { count: 7, medianHours: 2, p90Hours: 2 },
        stalled: 0,
      }),
      expect.objectContaining({
        period: '2026-03',
        referredTo: 'medical',
        referrals: 2,
        byStatus: { made: 2, acknowledged: 0, accepted: 0, declined: 0, closed: 0 },
        stalled: 2,
      }),
    ]);
    expect(own.totals).toMatchObject({ referrals: 9, accepted: 7, stalled: 2 });
    expect(own.disclosure.method).toMatchObject({ exact: ['IR'], protected: [] });
  });

  it("never publishes a k = 5 state's small group as 1 … 4, and publishes each figure as the method says", async () => {
    const answer = await ask('secretariat', { groupBy: ['referredTo'], providers: ['IR'] });
    for (const v of figuresOf(answer)) expect(v === 0 || v >= 5).toBe(true);
    const child = answer.rows.find((r) => r.referredTo === 'child_protection');
    const medical = answer.rows.find((r) => r.referredTo === 'medical');
    expect(child?.referrals).toBe(expected(irChild, 5));
    expect(medical?.referrals).toBe(expected(irMedical, 5) || undefined); // a row published as 0 is not listed
    expect(answer.totals.referrals).toBe(expected([...irChild, ...irMedical], 5));
    // The durations of a protected part only when its published count proves at least k behind them.
    const shown = expected(irChild, 5) >= 6;
    expect(child?.toAcceptance.medianHours).toBe(shown ? 2 : null);
    expect(answer.disclosure.method.protected).toEqual([{ provider: 'IR', k: 5 }]);
    expect(answer.disclosure.notes.join(' ')).toMatch(/k \+ 1/);
    expect(JSON.stringify(answer)).not.toMatch(/suppressed/);
  });

  it('counts totals over distinct referrals when grouped by needs (a referral with two needs once)', async () => {
    const april = { from: '2026-04-01', to: '2026-04-30', groupBy: ['needs' as const] };
    const tm = await ask('secretariat', { ...april, providers: ['TM'] });
    // Two referrals under k = 3: published 0 or 3 with their own key sum, never 2 nor 4.
    expect(tm.totals.referrals).toBe(expected(tmTwoNeeds, 3));
    expect([0, 3]).toContain(tm.totals.referrals);
    for (const r of tm.rows) expect(r.referrals).toBe(3);
    const own = await ask('state:TM', april);
    expect(own.rows.map((r) => [r.needs, r.referrals])).toEqual([
      ['disability', 2],
      ['serious_medical_condition', 2],
    ]);
    expect(own.totals.referrals).toBe(2);
  });

  it('adds the parts of two states in a needs row they share: the exact one and the protected one', async () => {
    const answer = await ask('secretariat', { groupBy: ['needs'], providers: ['IR', 'PK'] });
    const disability = answer.rows.find((r) => r.needs === 'disability');
    expect(disability?.referrals).toBe(3 + expected(irMedical, 5));
    expect(disability?.accepted).toBe(3);
    // IR's accepted part there is 0, so only PK's hours count.
    expect(disability?.toAcceptance).toEqual({ count: 3, medianHours: 10, p90Hours: 10 });
    expect(answer.rows.find((r) => r.needs === 'serious_medical_condition')?.referrals).toBe(3);
    expect(answer.totals.referrals).toBe(3 + expected([...irChild, ...irMedical], 5));
  });

  it('gives the same answer after new referrals until a release is cut', async () => {
    const before = await ask('state:IR', { groupBy: ['referredTo'] });
    const secretariatBefore = await ask('secretariat', { groupBy: ['referredTo'] });
    const late = Array.from({ length: 4 }, () =>
      referralLifecycle(['made', 'declined'], { referredAt: '2026-03-20T08:00:00Z', data: { referredTo: 'medical' } }),
    );
    await send(late);
    expect(await ask('state:IR', { groupBy: ['referredTo'] })).toEqual(before);
    expect(await ask('secretariat', { groupBy: ['referredTo'] })).toEqual(secretariatBefore);
    const next = await cutRelease(pool, { dataUntil: '2026-04-30', by: 'test', reason: 'late records' });
    const after = await ask('state:IR', { groupBy: ['referredTo'] });
    expect(after.release?.id).toBe(next.id);
    expect(after.totals).toMatchObject({ referrals: 13, declined: 4 });
    expect(after.rows.find((r) => r.referredTo === 'medical')).toMatchObject({ referrals: 6, declined: 4, acceptanceRate: 0 });
  });
});
