/**
 * The demo's feeder: posts a synthetic month of movements and of referrals (each walked through
 * its lifecycle) to the running national nodes, waits until the aggregator has projected all of
 * it, and prints the regional flows by route and category and the regional referral summary by
 * pathway. Settings come from the environment (see scripts/demo.sh), and so do the API keys the
 * demo issued with `npm run cli -- keys create` (.run/demo/keys.env): SECRETARIAT_KEY, and per
 * state XX_INGEST_KEY and XX_ADMIN_KEY (its node) and XX_READER_KEY (the aggregator).
 */
import {
  batches,
  generateMovements,
  generateReferrals,
  grantAgreement,
  postMovements,
  postReferrals,
  sendReferralStep,
  toRawMovement,
} from '@caravanserai/synthetic';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const nodes = new Map(
  env('DEMO_NODES', 'AF=http://127.0.0.1:3001')
    .split(',')
    .map((pair) => pair.split('=') as [string, string]),
);
const aggregator = env('DEMO_AGGREGATOR', 'http://127.0.0.1:3000');
const scale = Number(env('DEMO_SCALE', '0.05'));
const referralsPerDay = Number(env('DEMO_REFERRALS_PER_DAY', '20'));
const fmt = (n: number) => n.toLocaleString('en');

/** The last full calendar month: crossings in the future are refused by the nodes. */
function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** The Authorization header of a key from the environment. */
function auth(name: string): Record<string, string> {
  const key = process.env[name];
  if (!key) throw new Error(`${name} is not set: scripts/demo.sh issues the demo's keys`);
  return { authorization: `Bearer ${key}` };
}
const asState = (state: string) => `${state}_READER_KEY`;

async function getJson<T>(url: string, keyName = 'SECRETARIAT_KEY'): Promise<T> {
  const res = await fetch(url, { headers: auth(keyName) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** What each demo state grants the secretariat: weekly flows by route, crossing point, category
 * and a few other dimensions, k = 5; Iran also withholds victims of trafficking. Weekly, so that
 * the console can draw flows over time and the secretariat may see surge alerts (computed over a
 * week). Granted once: a rerun finds the active grant on the node and leaves it. */
async function grantTheSecretariat(state: string, url: string): Promise<void> {
  const res = await fetch(`${url}/v1/agreements`, { headers: auth(`${state}_ADMIN_KEY`) });
  if (!res.ok) throw new Error(`GET ${url}/v1/agreements: ${res.status} ${await res.text()}`);
  const { agreements } = (await res.json()) as { agreements: { status: string; terms: { recipient: string } }[] };
  if (agreements.some((a) => a.status === 'active' && a.terms.recipient === 'secretariat')) return;
  await grantAgreement(url, {
    recipient: 'secretariat',
    scope: { eventKinds: ['movements', 'referrals'], ...(state === 'IR' ? { categories: { exclude: ['victim_of_trafficking'] } } : {}) },
    dimensions: ['route', 'provider', 'borderCrossingPoint', 'category', 'direction', 'sex', 'ageBand', 'citizenship', 'referredTo', 'status', 'specificNeeds'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'border_crossing_point',
    minCellSize: 5,
    embargoDays: 0,
    validFrom: '2026-01-01',
    validUntil: null,
    purpose: 'Regional picture of mixed movements for the secretariat (demo)',
  }, auth(`${state}_ADMIN_KEY`));
  console.log(`  node ${state}: granted the secretariat weekly flows by route and crossing point, k = 5${state === 'IR' ? ', without victims of trafficking' : ''}`);
}

async function main() {
  const started = Date.now();
  for (const [state, url] of nodes) await grantTheSecretariat(state, url);
  const { from, to } = lastMonth();
  // A surge planted on the onward route through Iran to Türkiye in the last week of the month.
  // Surge detection compares that week with the four weeks before it (docs/alerts.md), so the
  // movements start six weeks before the month's end: the month, and its lead-in before it.
  const surgeFrom = addDays(to, -6);
  const leadIn = addDays(to, -41) < from ? addDays(to, -41) : from;
  const records = [
    ...generateMovements({
      seed: 2014,
      from: leadIn,
      to,
      scale,
      providers: [...nodes.keys()],
      recordIdPrefix: 'DEMO-',
      surges: [{ routeId: 'IR:entry:AF>TR', from: surgeFrom, to, factor: 4 }],
    }),
  ];
  console.log(`demo: ${fmt(records.length)} synthetic movements for ${leadIn} … ${to} (scale ${scale}), surge on AF>IR>TR from ${surgeFrom}`);

  let accepted = 0;
  let duplicates = 0;
  await Promise.all(
    [...nodes].map(async ([state, url]) => {
      const mine = records.filter((r) => r.provider === state);
      let done = 0;
      for (const batch of batches(mine, 1000)) {
        const answer = await postMovements(url, batch.map(toRawMovement), auth(`${state}_INGEST_KEY`));
        accepted += answer.accepted;
        duplicates += answer.duplicates;
        done += batch.length;
        if (done === mine.length || done % 5000 === 0) console.log(`  node ${state}: ${fmt(done)} / ${fmt(mine.length)} posted`);
      }
    }),
  );
  console.log(`demo: posted in ${((Date.now() - started) / 1000).toFixed(1)} s — ${fmt(accepted)} accepted, ${fmt(duplicates)} already there`);

  // Each state sees its own data in full: the aggregator has caught up when every state's own
  // total is what was posted to it.
  const ownTotal = async (state: string) =>
    (await getJson<{ totals: { count: number } }>(`${aggregator}/v1/flows?from=${leadIn}&to=${to}&granularity=day&providers=${state}`, asState(state))).totals.count;
  let projected = 0;
  let lastReport = 0;
  while (projected < records.length) {
    projected = (await Promise.all([...nodes.keys()].map(ownTotal))).reduce((a, b) => a + b, 0);
    if (Date.now() - lastReport > 2000) {
      console.log(`  aggregator: ${fmt(projected)} / ${fmt(records.length)} projected`);
      lastReport = Date.now();
    }
    if (projected < records.length) await new Promise((r) => setTimeout(r, 250));
  }
  if (projected > records.length) {
    console.log(`demo: the aggregator holds ${fmt(projected - records.length)} more movements for this month than this run posted (left by another run)`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`demo: the aggregator has caught up: ${fmt(projected)} movements projected, ${seconds.toFixed(1)} s after the first post`);

  type Answer = {
    rows: { route: string; category: string; count: number | null; suppressed?: string }[];
    totals: { count: number | null };
    disclosure: { agreements: { provider: string }[]; suppressed: { primary: number; complementary: number } };
  };
  const answer = await getJson<Answer>(`${aggregator}/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route,category`);
  const byRoute = new Map<string, { total: number; hidden: number; categories: [string, number | null][] }>();
  for (const row of answer.rows) {
    const entry = byRoute.get(row.route) ?? { total: 0, hidden: 0, categories: [] };
    entry.total += row.count ?? 0;
    if (row.count === null) entry.hidden += 1;
    entry.categories.push([row.category, row.count]);
    byRoute.set(row.route, entry);
  }
  console.log(`\nRegional flows ${from} … ${to} as the secretariat sees them, by route (departed from > reporting state > intended destination) and category`);
  console.log(`(agreements of ${answer.disclosure.agreements.map((a) => a.provider).join(', ')}; ■ = suppressed: fewer than k records, or needed to protect one)\n`);
  console.log(`${'route'.padEnd(10)} ${'movements'.padStart(10)}  by category`);
  for (const [route, { total, hidden, categories }] of [...byRoute].sort((a, b) => b[1].total - a[1].total)) {
    const parts = categories.sort((a, b) => (b[1] ?? -1) - (a[1] ?? -1)).map(([c, n]) => `${c} ${n === null ? '■' : fmt(n)}`);
    console.log(`${route.padEnd(10)} ${(fmt(total) + (hidden ? '+' : '')).padStart(10)}  ${parts.join(' · ')}`);
  }
  const s = answer.disclosure.suppressed;
  console.log(`${'total'.padEnd(10)} ${(answer.totals.count === null ? '■' : fmt(answer.totals.count)).padStart(10)}  (${s.primary} small cells and ${s.complementary} complements suppressed)\n`);

  await feedReferrals(from, to);
  await showAlerts();
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The surge alerts the secretariat sees once detection has run over the fed data (it runs soon
 * after ingest progress, docs/alerts.md). */
async function showAlerts() {
  type Alert = { severity: string; scope: string; provider: string; route: string | null; borderCrossingPoint: string | null; category: string | null; recent: number; expectedWeekly: number | null; ratio: number | null; window: { from: string; to: string } };
  const deadline = Date.now() + 120_000;
  let alerts: Alert[] = [];
  while (Date.now() < deadline) {
    alerts = (await getJson<{ alerts: Alert[] }>(`${aggregator}/v1/alerts`)).alerts;
    if (alerts.some((a) => a.route === 'AF>IR>TR')) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`\nSurge alerts the secretariat sees (GET /v1/alerts): ${alerts.length}`);
  for (const a of alerts) {
    const where = a.scope === 'borderCrossingPoint' ? `crossing point ${a.borderCrossingPoint}` : `route ${a.route}${a.category ? ` · ${a.category}` : ''}`;
    const usual = a.expectedWeekly === null ? 'withheld' : fmt(a.expectedWeekly);
    console.log(`  ${a.severity.padEnd(8)} ${where.padEnd(44)} ${fmt(a.recent).padStart(7)} in ${a.window.from} … ${a.window.to}, usual week ${usual}${a.ratio === null ? '' : ` (×${a.ratio})`}`);
  }
}

interface Figures {
  referrals: number | null;
  byStatus: Record<string, number>;
  acceptanceRate: number | null;
  toAcceptance: { medianHours: number | null; p90Hours: number | null };
  toClosure: { medianHours: number | null; p90Hours: number | null };
  stalled: number;
}

/** Referrals made over the month, each walked through the lifecycle its synthetic plan gives it
 * (steps after now are not sent: those referrals stay open, and some of them stall). */
async function feedReferrals(from: string, to: string) {
  const started = Date.now();
  const referrals = generateReferrals({ seed: 2014, from, to, perProviderPerDay: referralsPerDay, providers: [...nodes.keys()], now: new Date(), recordIdPrefix: 'DEMO-REF-' });
  const steps = referrals.reduce((n, r) => n + r.steps.length, 0);
  console.log(`demo: ${fmt(referrals.length)} synthetic referrals and ${fmt(steps)} lifecycle commands for ${from} … ${to}`);
  await Promise.all(
    [...nodes].map(async ([state, url]) => {
      const mine = referrals.filter((r) => r.provider === state);
      for (const batch of batches(mine, 1000)) {
        const answer = await postReferrals(url, batch.map((r) => r.record), auth(`${state}_INGEST_KEY`));
        // A rerun finds the referrals there already and their steps taken: only new referrals move on.
        const fresh = batch.filter((_, i) => answer.results[i].status === 'accepted');
        const ids = new Map(batch.map((r, i) => [r, answer.results[i].referralId]));
        const queue = [...fresh];
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let r = queue.shift(); r; r = queue.shift()) for (const step of r.steps) await sendReferralStep(url, ids.get(r)!, step, auth(`${state}_INGEST_KEY`));
          }),
        );
      }
      console.log(`  node ${state}: ${fmt(mine.length)} referrals posted and walked through their lifecycles`);
    }),
  );
  const query = `${aggregator}/v1/referrals/summary?from=${from}&to=${to}&providers=${[...nodes.keys()].join(',')}&granularity=year`;
  // Projected when the aggregator has no lag left and each state sees all its own referrals.
  const own = (state: string) =>
    getJson<{ totals: Figures }>(`${aggregator}/v1/referrals/summary?from=${from}&to=${to}&providers=${state}&granularity=year`, asState(state)).then((a) => a.totals.referrals ?? 0);
  for (;;) {
    const [counts, { lag }] = await Promise.all([Promise.all([...nodes.keys()].map(own)), getJson<{ lag: { total: number | null } }>(`${aggregator}/v1/nodes`)]);
    if (counts.reduce((a, b) => a + b, 0) >= referrals.length && lag.total === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`demo: referrals projected ${((Date.now() - started) / 1000).toFixed(1)} s after the first post`);

  const answer = await getJson<{ rows: (Figures & { referredTo: string })[]; totals: Figures }>(`${query}&groupBy=referredTo`);
  const h = (v: number | null) => (v === null ? '–' : v.toFixed(0));
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(0)}%`);
  console.log(`\nRegional referrals ${from} … ${to}, by pathway (hours from referral; stalled: unanswered after 72 h)\n`);
  console.log(`${'pathway'.padEnd(18)} ${'referrals'.padStart(9)} ${'open'.padStart(5)} ${'accepted'.padStart(8)} ${'declined'.padStart(8)} ${'closed'.padStart(6)} ${'accept%'.padStart(7)} ${'→accept med/p90'.padStart(16)} ${'→close med/p90'.padStart(15)} ${'stalled'.padStart(7)}`);
  for (const r of [...answer.rows, { ...answer.totals, referredTo: 'total' }]) {
    if (r.referrals === null) {
      console.log(`${r.referredTo.padEnd(18)} ${'■'.padStart(9)}  (suppressed: too few referrals of a state, or needed to protect such a row)`);
      continue;
    }
    const open = r.byStatus.made + r.byStatus.acknowledged;
    console.log(
      `${r.referredTo.padEnd(18)} ${fmt(r.referrals).padStart(9)} ${fmt(open).padStart(5)} ${fmt(r.byStatus.accepted).padStart(8)} ${fmt(r.byStatus.declined).padStart(8)} ` +
        `${fmt(r.byStatus.closed).padStart(6)} ${pct(r.acceptanceRate).padStart(7)} ${`${h(r.toAcceptance.medianHours)}/${h(r.toAcceptance.p90Hours)}`.padStart(16)} ` +
        `${`${h(r.toClosure.medianHours)}/${h(r.toClosure.p90Hours)}`.padStart(15)} ${fmt(r.stalled).padStart(7)}`,
    );
  }
  console.log('');
}

main().catch((e) => {
  console.error(`demo feed failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
