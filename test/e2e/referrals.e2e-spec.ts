import { REFERRAL_STATUSES, ReferralStatus, toReferralHour } from '@caravanserai/contracts';
import { generateReferrals, OPEN_TERMS, postReferrals, sendReferralStep, SyntheticReferral } from '@caravanserai/synthetic';
import { RunningRegion, startRegion, uniqueSuffix, waitFor } from '@caravanserai/testing';

/** The regional summary's arithmetic, written again from the synthetic inputs, independently of
 * the aggregator: percentile_cont is linear interpolation between neighbouring sorted values. */
function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.ceil(position)] - sorted[low]) * (position - low);
}

/** Hours are published rounded to one decimal. */
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

const NEXT: Record<string, ReferralStatus> = { acknowledgement: 'acknowledged', acceptance: 'accepted', decline: 'declined', closure: 'closed' };

interface Expected {
  referredTo: string;
  provider: string;
  status: ReferralStatus;
  acceptHours: number | null;
  closeHours: number | null;
  declined: boolean;
  waitingSince: number;
}

function expectedFigures(items: Expected[], asOf: number, stalledAfterHours: number) {
  const byStatus = Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, items.filter((i) => i.status === s).length]));
  const acceptHours = items.flatMap((i) => (i.acceptHours === null ? [] : [i.acceptHours]));
  const closeHours = items.flatMap((i) => (i.closeHours === null ? [] : [i.closeHours]));
  const accepted = acceptHours.length;
  const declined = items.filter((i) => i.declined).length;
  return {
    referrals: items.length,
    byStatus,
    accepted,
    declined,
    acceptanceRate: accepted + declined === 0 ? null : accepted / (accepted + declined),
    toAcceptance: { count: accepted, medianHours: round1(percentileCont(acceptHours, 0.5)), p90Hours: round1(percentileCont(acceptHours, 0.9)) },
    toClosure: { count: closeHours.length, medianHours: round1(percentileCont(closeHours, 0.5)), p90Hours: round1(percentileCont(closeHours, 0.9)) },
    stalled: items.filter((i) => (i.status === 'made' || i.status === 'acknowledged') && i.waitingSince <= asOf - stalledAfterHours * 3_600_000).length,
  };
}

/**
 * A few hundred referrals on two national nodes, each walked through its lifecycle over HTTP, a
 * release cut by the aggregator's admin, and the regional summary checked figure by figure —
 * counts, acceptance rates, medians and 90th percentiles, stalled as of the release's cut —
 * against what was sent. Both states grant the secretariat k = 1, so under the cell-key method
 * every figure is exact. Services run as separate processes on the real broker and database.
 */
describe('referrals, end to end', () => {
  const suffix = uniqueSuffix();
  const providers = ['IR', 'PK'] as const;
  const from = '2026-09-01';
  const to = '2026-09-30';
  // The day after the last referral day: the release holds all of September.
  const dataUntil = '2026-10-01';
  let region: RunningRegion;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, read member by member
  const summary = async (query: string): Promise<any> => {
    const res = await fetch(`${region.aggregator.url}/v1/referrals/summary?from=${from}&to=${to}&${query}`, { headers: region.as('secretariat') });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    // The secretariat may see every referral figure (k = 1), so the summary can be checked exactly.
    region = await startRegion({ name: 'e2e-ref', states: providers, grants: [{ ...OPEN_TERMS, recipient: 'secretariat' }], env: { LOG_LEVEL: 'warn' } });
  });

  afterAll(() => region?.close());

  it('projects every referral through its lifecycle into the exact regional summary', async () => {
    // Steps up to the start of October have happened; later ones not yet, so some referrals stay open.
    const referrals = generateReferrals({
      seed: 4,
      from,
      to,
      perProviderPerDay: 5,
      providers: [...providers],
      now: new Date('2026-10-01T00:00:00Z'),
      recordIdPrefix: `E2E-${suffix}-`,
    });
    expect(referrals.length).toBe(300);

    const ids = new Map<SyntheticReferral, string>();
    for (const state of providers) {
      const mine = referrals.filter((r) => r.provider === state);
      const answer = await postReferrals(
        region.node(state).url,
        mine.map((r) => r.record),
        region.ingest(state),
      );
      expect(answer.accepted).toBe(mine.length);
      answer.results.forEach((r, i) => ids.set(mine[i], r.referralId));
    }
    // Eight clients at a time; each referral's steps in order.
    const queue = [...referrals];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          for (const step of r.steps) await sendReferralStep(region.node(r.provider).url, ids.get(r)!, step, region.ingest(r.provider));
        }
      }),
    );

    const expected: Expected[] = referrals.map((r) => {
      const made = Date.parse(toReferralHour(r.record.referredAt));
      const at = (command: string) => {
        const step = r.steps.find((s) => s.command === command);
        return step ? (Date.parse(toReferralHour(step.at)) - made) / 3_600_000 : null;
      };
      return {
        referredTo: r.record.referredTo,
        provider: r.provider,
        status: r.steps.length ? NEXT[r.steps[r.steps.length - 1].command] : 'made',
        acceptHours: at('acceptance'),
        closeHours: at('closure'),
        declined: r.steps.some((s) => s.command === 'decline'),
        waitingSince: made,
      };
    });
    // Whole closed periods only: September is closed by the release's last day (1 October), 2026
    // is not, so the summary is asked by month. Answers read releases: before the first, nothing. The admin cuts one (again, until every
    // step has been projected: a release holds what the projection had when it was cut).
    const before = await summary('granularity=month');
    expect(before.release).toBeNull();
    expect(before.rows).toEqual([]);
    let release = null as { id: number; cutAt: string; dataUntil: string } | null;
    const complete = async () => {
      release = await region.release({ dataUntil, reason: 'e2e: every referral sent' });
      const answer = await summary('granularity=month');
      return answer.release?.id === release!.id && JSON.stringify(answer.totals) === JSON.stringify(expectedFigures(expected, Date.parse(release!.cutAt), 72));
    };
    await waitFor(complete, { timeoutMs: 120_000, intervalMs: 1000, what: 'every referral step projected and released' });
    const { cutAt } = release!;
    // Stalled is counted as of the release's cut.
    const asOfMs = Date.parse(cutAt);
    const totals = expectedFigures(expected, asOfMs, 72);
    expect(totals.byStatus).toEqual(expect.objectContaining({ made: expect.any(Number), closed: expect.any(Number) }));
    expect(Object.values(totals.byStatus).every((n) => n > 0)).toBe(true);
    expect(totals.stalled).toBeGreaterThan(0);

    const answer = await summary('granularity=month&groupBy=provider,referredTo');
    expect(answer.release).toEqual({ id: release!.id, cutAt, dataUntil });
    expect(answer.asOf).toBe(cutAt);
    expect(answer.disclosure.method).toMatchObject({ name: 'cell-key', exact: ['IR', 'PK'], protected: [] });
    const keys = [...new Set(expected.map((e) => `${e.provider}|${e.referredTo}`))].sort();
    expect(answer.rows).toEqual(
      keys.map((key) => {
        const [provider, referredTo] = key.split('|');
        return {
          period: '2026-09',
          provider,
          referredTo,
          ...expectedFigures(
            expected.filter((e) => e.provider === provider && e.referredTo === referredTo),
            asOfMs,
            72,
          ),
        };
      }),
    );
    expect(answer.totals).toEqual(totals);
    expect(answer.awaitingReferralMade).toBe(0); // counted for a state's own referrals only
    const { lag } = (await (await fetch(`${region.aggregator.url}/v1/nodes`, { headers: region.as('secretariat') })).json()) as {
      lag: { topics: string[]; total: number };
    };
    expect(lag).toMatchObject({ topics: [region.topic('movements'), region.topic('agreements'), region.topic('referrals')], total: 0 });
    console.log(
      `e2e referrals: ${totals.referrals} referrals, ${Object.entries(totals.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}; ` +
        `acceptance rate ${totals.acceptanceRate?.toFixed(3)}, hours to acceptance median ${totals.toAcceptance.medianHours} p90 ${totals.toAcceptance.p90Hours}; stalled ${totals.stalled}`,
    );

    // A shorter threshold counts more referrals as stalled, never fewer.
    const stalled24 = (await summary('granularity=month&stalledAfterHours=24')).totals.stalled;
    expect(stalled24).toBe(expectedFigures(expected, asOfMs, 24).stalled);
    expect(stalled24).toBeGreaterThanOrEqual(totals.stalled);
  });

  it('answers the same summary as CSV, and refuses a bad query with 400 naming the parameter', async () => {
    const csv = await (
      await fetch(`${region.aggregator.url}/v1/referrals/summary?from=${from}&to=${to}&granularity=month&groupBy=status`, {
        headers: { accept: 'text/csv', ...region.as('secretariat') },
      })
    ).text();
    expect(csv).toMatch(/^# release: \d+, cut .*, data up to 2026-10-01$/m);
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .filter((l) => !l.startsWith('#'));
    expect(lines[0]).toBe(
      'period,status,referrals,made,acknowledged,accepted,declined,closed,accepted_ever,declined_ever,acceptance_rate,hours_to_acceptance_median,hours_to_acceptance_p90,hours_to_closure_median,hours_to_closure_p90,stalled',
    );
    expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split(',')[2]), 0)).toBe(300);
    // asOf is gone (stalled is counted at the release's cut): sending it is refused like any unknown parameter.
    for (const bad of ['groupBy=person', 'stalledAfterHours=0', 'from=2026-02-30', 'asOf=2026-10-02T00:00:00Z']) {
      const [name, value] = bad.split('=');
      const params = new URLSearchParams({ from, to, [name]: value });
      const res = await fetch(`${region.aggregator.url}/v1/referrals/summary?${params}`, { headers: region.as('secretariat') });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { field: string }[] };
      expect(body.errors.map((e) => e.field)).toContain(name);
    }
  });
});
