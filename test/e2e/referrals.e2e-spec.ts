import { REFERRAL_STATUSES, ReferralStatus, toReferralHour } from '@caravanserai/contracts';
import { generateReferrals, grantAgreement, OPEN_TERMS, postReferrals, sendReferralStep, SyntheticReferral } from '@caravanserai/synthetic';
import { bearer, dropTestDatabase, freshTestDatabase, issueKey, ServiceProcess, TEST_KAFKA_BROKERS, testSigningKeys, uniqueSuffix, waitFor } from '@caravanserai/testing';

/** The regional summary's arithmetic, written again from the synthetic inputs, independently of
 * the aggregator: percentile_cont is linear interpolation between neighbouring sorted values. */
function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.ceil(position)] - sorted[low]) * (position - low);
}

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
    toAcceptance: { count: accepted, medianHours: percentileCont(acceptHours, 0.5), p90Hours: percentileCont(acceptHours, 0.9) },
    toClosure: { count: closeHours.length, medianHours: percentileCont(closeHours, 0.5), p90Hours: percentileCont(closeHours, 0.9) },
    stalled: items.filter((i) => (i.status === 'made' || i.status === 'acknowledged') && i.waitingSince <= asOf - stalledAfterHours * 3_600_000).length,
  };
}

/**
 * A few hundred referrals on two national nodes, each walked through its lifecycle over HTTP, and
 * the aggregator's regional summary checked figure by figure — counts, acceptance rates, medians
 * and 90th percentiles — against what was sent. Services run as separate processes on the real
 * broker and database.
 */
describe('referrals, end to end', () => {
  const suffix = uniqueSuffix();
  const prefix = `e2e-ref-${suffix}.`;
  const providers = ['IR', 'PK'] as const;
  const basePort = 3800 + Math.floor(Math.random() * 400);
  const from = '2026-09-01';
  const to = '2026-09-30';
  const asOf = '2026-10-02T00:00:00Z';
  const databases: string[] = [];
  const services: ServiceProcess[] = [];
  const nodes = new Map<string, ServiceProcess>();
  let aggregator: ServiceProcess;

  let SECRETARIAT: Record<string, string> = {};
  const ingestKey = new Map<string, Record<string, string>>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const summary = async (query: string): Promise<any> => {
    const res = await fetch(`${aggregator.url}/v1/referrals/summary?from=${from}&to=${to}&asOf=${asOf}&${query}`, { headers: SECRETARIAT });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    const common = { KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), ...testSigningKeys().aggregatorEnv(), TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' };
    const aggDb = await freshTestDatabase('e2e_ref_agg');
    databases.push(aggDb);
    aggregator = await ServiceProcess.start('aggregator', 'dist/apps/aggregator/src/main.js', { ...common, DATABASE_URL: aggDb, CONSUMER_GROUP: `e2e-ref-${suffix}` }, basePort);
    services.push(aggregator);
    SECRETARIAT = bearer(await issueKey(aggDb, 'aggregator', 'secretariat', 'reader'));
    await Promise.all(
      providers.map(async (state, i) => {
        const db = await freshTestDatabase(`e2e_ref_node_${state}`);
        databases.push(db);
        const node = await ServiceProcess.start(`node-${state}`, 'dist/apps/national-node/src/main.js', { ...common, NODE_STATE: state, ...testSigningKeys().nodeEnv(state), DATABASE_URL: db }, basePort + 1 + i);
        nodes.set(state, node);
        services.push(node);
        ingestKey.set(state, bearer(await issueKey(db, 'node', `state:${state}`, 'ingest')));
        // The secretariat may see every referral figure (k = 1), so the summary can be checked exactly.
        await grantAgreement(node.url, { ...OPEN_TERMS, recipient: 'secretariat' }, bearer(await issueKey(db, 'node', 'admin', 'admin')));
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    for (const db of databases) await dropTestDatabase(db);
  });

  it('projects every referral through its lifecycle into the exact regional summary', async () => {
    // Steps up to the start of October have happened; later ones not yet, so some referrals stay open.
    const referrals = generateReferrals({ seed: 4, from, to, perProviderPerDay: 5, providers: [...providers], now: new Date('2026-10-01T00:00:00Z'), recordIdPrefix: `E2E-${suffix}-` });
    expect(referrals.length).toBe(300);

    const ids = new Map<SyntheticReferral, string>();
    for (const state of providers) {
      const mine = referrals.filter((r) => r.provider === state);
      const answer = await postReferrals(nodes.get(state)!.url, mine.map((r) => r.record), ingestKey.get(state));
      expect(answer.accepted).toBe(mine.length);
      answer.results.forEach((r, i) => ids.set(mine[i], r.referralId));
    }
    // Eight clients at a time; each referral's steps in order.
    const queue = [...referrals];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          for (const step of r.steps) await sendReferralStep(nodes.get(r.provider)!.url, ids.get(r)!, step, ingestKey.get(r.provider));
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
    const asOfMs = Date.parse(asOf);
    const totals = expectedFigures(expected, asOfMs, 72);
    // The regional picture is complete when its totals are those of everything sent.
    await waitFor(async () => JSON.stringify((await summary('granularity=year')).totals) === JSON.stringify(totals), {
      timeoutMs: 120_000,
      intervalMs: 300,
      what: 'every referral step projected',
    });
    expect(totals.byStatus).toEqual(expect.objectContaining({ made: expect.any(Number), closed: expect.any(Number) }));
    expect(Object.values(totals.byStatus).every((n) => n > 0)).toBe(true);
    expect(totals.stalled).toBeGreaterThan(0);

    const answer = await summary('granularity=month&groupBy=provider,referredTo');
    const keys = [...new Set(expected.map((e) => `${e.provider}|${e.referredTo}`))].sort();
    expect(answer.rows).toEqual(
      keys.map((key) => {
        const [provider, referredTo] = key.split('|');
        return { period: '2026-09', provider, referredTo, ...expectedFigures(expected.filter((e) => e.provider === provider && e.referredTo === referredTo), asOfMs, 72) };
      }),
    );
    expect(answer.totals).toEqual(totals);
    expect(answer.awaitingReferralMade).toBe(0);
    const { lag } = (await (await fetch(`${aggregator.url}/v1/nodes`, { headers: SECRETARIAT })).json()) as { lag: { topics: string[]; total: number } };
    expect(lag).toMatchObject({ topics: [`${prefix}movements.v1`, `${prefix}agreements.v1`, `${prefix}referrals.v1`], total: 0 });
    console.log(
      `e2e referrals: ${totals.referrals} referrals, ${Object.entries(totals.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}; ` +
        `acceptance rate ${totals.acceptanceRate?.toFixed(3)}, hours to acceptance median ${totals.toAcceptance.medianHours} p90 ${totals.toAcceptance.p90Hours}; stalled ${totals.stalled}`,
    );

    // A shorter threshold counts more referrals as stalled, never fewer.
    const stalled24 = (await summary('granularity=year&stalledAfterHours=24')).totals.stalled;
    expect(stalled24).toBe(expectedFigures(expected, asOfMs, 24).stalled);
    expect(stalled24).toBeGreaterThanOrEqual(totals.stalled);
  });

  it('answers the same summary as CSV, and refuses a bad query with 400 naming the parameter', async () => {
    const csv = await (await fetch(`${aggregator.url}/v1/referrals/summary?from=${from}&to=${to}&asOf=${asOf}&granularity=year&groupBy=status`, { headers: { accept: 'text/csv', ...SECRETARIAT } })).text();
    const lines = csv.trim().split('\r\n').filter((l) => !l.startsWith('#'));
    expect(lines[0]).toBe('period,status,referrals,made,acknowledged,accepted,declined,closed,accepted_ever,declined_ever,acceptance_rate,hours_to_acceptance_median,hours_to_acceptance_p90,hours_to_closure_median,hours_to_closure_p90,stalled,suppressed');
    expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split(',')[2]), 0)).toBe(300);
    for (const bad of ['groupBy=person', 'stalledAfterHours=0', 'from=2026-02-30', 'asOf=yesterday']) {
      const [name, value] = bad.split('=');
      const params = new URLSearchParams({ from, to, [name]: value });
      const res = await fetch(`${aggregator.url}/v1/referrals/summary?${params}`, { headers: SECRETARIAT });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { field: string }[] };
      expect(body.errors.map((e) => e.field)).toContain(name);
    }
  });
});
