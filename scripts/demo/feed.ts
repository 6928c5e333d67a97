/**
 * The demo's feeder: posts a synthetic month of movements and of referrals (each walked through
 * its lifecycle) to the running national nodes, cuts a release once the aggregator has projected
 * all of it (answers read only the latest release), and prints the regional flows by route and
 * category and the regional referral summary by pathway. Settings come from the environment (see
 * scripts/demo.sh), and so do the API keys the demo issued with `npm run cli -- keys create`
 * (.run/demo/keys.env): SECRETARIAT_KEY, AGGREGATOR_ADMIN_KEY (cuts releases, reads /v1/nodes),
 * and per state XX_INGEST_KEY and XX_ADMIN_KEY (its node) and XX_READER_KEY (the aggregator).
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
import { showForecast } from './forecast-step';

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

type Release = { id: number; cutAt: string; dataUntil: string };

/** Cuts a release as the aggregator's admin, holding every day up to yesterday (the default; the
 * demo's data end with last month, and a release never holds less than the one before it). */
async function cutRelease(reason: string): Promise<Release> {
  const res = await fetch(`${aggregator}/v1/releases`, {
    method: 'POST',
    headers: { ...auth('AGGREGATOR_ADMIN_KEY'), 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
  if (res.status !== 201) throw new Error(`POST ${aggregator}/v1/releases: ${res.status} ${await res.text()}`);
  return (await res.json()) as Release;
}

/** Whether the aggregator has taken everything Kafka holds for it (lag per partition is the
 * operator's to see: the admin key). */
const noLag = async () => (await getJson<{ lag: { total: number | null } }>(`${aggregator}/v1/nodes`, 'AGGREGATOR_ADMIN_KEY')).lag.total === 0;

/** What each demo state grants the secretariat: weekly flows by route, crossing point, category
 * and a few other dimensions, k = 5; Iran also withholds victims of trafficking. Weekly, so that
 * the console can draw flows over time and the secretariat may see surge alerts (computed over a
 * week). Granted once: a rerun finds the active grant on the node and leaves it. */
async function grantTheSecretariat(state: string, url: string): Promise<void> {
  const res = await fetch(`${url}/v1/agreements`, { headers: auth(`${state}_ADMIN_KEY`) });
  if (!res.ok) throw new Error(`GET ${url}/v1/agreements: ${res.status} ${await res.text()}`);
  const { agreements } = (await res.json()) as { agreements: { status: string; terms: { recipient: string } }[] };
  if (agreements.some((a) => a.status === 'active' && a.terms.recipient === 'secretariat')) return;
  await grantAgreement(
    url,
    {
      recipient: 'secretariat',
      scope: { eventKinds: ['movements', 'referrals'], ...(state === 'IR' ? { categories: { exclude: ['victim_of_trafficking'] } } : {}) },
      dimensions: [
        'route',
        'provider',
        'borderCrossingPoint',
        'category',
        'direction',
        'sex',
        'ageBand',
        'citizenship',
        'referredTo',
        'status',
        'specificNeeds',
      ],
      minTimeGranularity: 'week',
      minGeoGranularity: 'border_crossing_point',
      minCellSize: 5,
      embargoDays: 0,
      validFrom: '2026-01-01',
      validUntil: null,
      purpose: 'Regional picture of mixed movements for the secretariat (demo)',
    },
    auth(`${state}_ADMIN_KEY`),
  );
  console.log(
    `  node ${state}: granted the secretariat weekly flows by route and crossing point, k = 5${state === 'IR' ? ', without victims of trafficking' : ''}`,
  );
  if (state !== 'IR') return;
  // A second recipient with coarser terms, so that two feeds differ (docs/integrators.md).
  await grantAgreement(
    url,
    {
      recipient: 'org:UNHCR',
      scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
      dimensions: ['route', 'provider', 'category'],
      minTimeGranularity: 'month',
      minGeoGranularity: 'country',
      minCellSize: 10,
      embargoDays: 0,
      validFrom: '2026-01-01',
      validUntil: null,
      purpose: 'Protection monitoring (demo)',
    },
    auth('IR_ADMIN_KEY'),
  );
  console.log('  node IR: granted UNHCR monthly flows by route and category, k = 10');
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
  // total in a release is what was posted to it. Answers read only the latest release, so once
  // Kafka has nothing left for the aggregator, cut one and look; again if something was still on
  // its way (a node's outbox).
  let release: Release | null = null;
  const ownTotal = async (state: string) =>
    (await getJson<{ totals: { count: number } }>(`${aggregator}/v1/flows?from=${leadIn}&to=${to}&granularity=day&providers=${state}`, asState(state))).totals
      .count;
  let projected = 0;
  let lastReport = 0;
  while (projected < records.length) {
    if (await noLag()) {
      release = await cutRelease('demo: movements fed');
      projected = (await Promise.all([...nodes.keys()].map(ownTotal))).reduce((a, b) => a + b, 0);
    }
    if (Date.now() - lastReport > 2000) {
      console.log(`  aggregator: ${fmt(projected)} / ${fmt(records.length)} projected`);
      lastReport = Date.now();
    }
    if (projected < records.length) await new Promise((r) => setTimeout(r, 500));
  }
  if (projected > records.length) {
    console.log(`demo: the aggregator holds ${fmt(projected - records.length)} more movements for this month than this run posted (left by another run)`);
  }
  release ??= await cutRelease('demo: movements fed');
  const seconds = (Date.now() - started) / 1000;
  console.log(`demo: the aggregator has caught up: ${fmt(projected)} movements projected, ${seconds.toFixed(1)} s after the first post`);
  console.log(
    `demo: release ${release!.id} cut at ${release!.cutAt}, data until ${release!.dataUntil}: answers read it (POST /v1/releases with AGGREGATOR_ADMIN_KEY cuts the next)`,
  );

  type Answer = {
    rows: { route: string; category: string; count: number }[];
    totals: { count: number };
    disclosure: { agreements: { provider: string }[]; method: { maxNoise: number; exact: string[]; protected: { provider: string; k: number }[] } };
  };
  const answer = await getJson<Answer>(`${aggregator}/v1/flows?from=${from}&to=${to}&granularity=month&groupBy=route,category`);
  const byRoute = new Map<string, { total: number; categories: [string, number][] }>();
  for (const row of answer.rows) {
    const entry = byRoute.get(row.route) ?? { total: 0, categories: [] };
    entry.total += row.count;
    entry.categories.push([row.category, row.count]);
    byRoute.set(row.route, entry);
  }
  const { method } = answer.disclosure;
  const ks = [...new Set(method.protected.map((p) => p.k))].join('/');
  console.log(
    `\nRegional flows ${from} … ${to} as the secretariat sees them (release ${release!.id}), by route (departed from > reporting state > intended destination) and category`,
  );
  console.log(
    `(agreements of ${answer.disclosure.agreements.map((a) => a.provider).join(', ')}; figures of ${method.protected.map((p) => p.provider).join(', ') || 'no state'} ` +
      `perturbed by the cell-key method: a count below k${ks ? ` (${ks})` : ''} shows as 0 or k, others move by at most ${method.maxNoise} per state; a route's sum is of its published cells)\n`,
  );
  console.log(`${'route'.padEnd(10)} ${'movements'.padStart(10)}  by category`);
  for (const [route, { total, categories }] of [...byRoute].sort((a, b) => b[1].total - a[1].total)) {
    const parts = categories.sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${fmt(n)}`);
    console.log(`${route.padEnd(10)} ${fmt(total).padStart(10)}  ${parts.join(' · ')}`);
  }
  console.log(`${'total'.padEnd(10)} ${fmt(answer.totals.count).padStart(10)}  (published on its own, so it need not be the sum of the rows)\n`);

  await feedReferrals(from, to);
  await showAlerts();
  await showForecast(aggregator);
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The surge alerts the secretariat sees once detection has run over the fed data (it runs soon
 * after ingest progress, docs/alerts.md). */
async function showAlerts() {
  type Alert = {
    severity: string;
    scope: string;
    provider: string;
    route: string | null;
    borderCrossingPoint: string | null;
    category: string | null;
    recent: number;
    expectedWeekly: number | null;
    ratio: number | null;
    window: { from: string; to: string };
  };
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
    console.log(
      `  ${a.severity.padEnd(8)} ${where.padEnd(44)} ${fmt(a.recent).padStart(7)} in ${a.window.from} … ${a.window.to}, usual week ${usual}${a.ratio === null ? '' : ` (×${a.ratio})`}`,
    );
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
  const referrals = generateReferrals({
    seed: 2014,
    from,
    to,
    perProviderPerDay: referralsPerDay,
    providers: [...nodes.keys()],
    now: new Date(),
    recordIdPrefix: 'DEMO-REF-',
  });
  const steps = referrals.reduce((n, r) => n + r.steps.length, 0);
  console.log(`demo: ${fmt(referrals.length)} synthetic referrals and ${fmt(steps)} lifecycle commands for ${from} … ${to}`);
  await Promise.all(
    [...nodes].map(async ([state, url]) => {
      const mine = referrals.filter((r) => r.provider === state);
      for (const batch of batches(mine, 1000)) {
        const answer = await postReferrals(
          url,
          batch.map((r) => r.record),
          auth(`${state}_INGEST_KEY`),
        );
        // A rerun finds the referrals there already and their steps taken: only new referrals move on.
        const fresh = batch.filter((_, i) => answer.results[i].status === 'accepted');
        const ids = new Map(batch.map((r, i) => [r, answer.results[i].referralId]));
        const queue = [...fresh];
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let r = queue.shift(); r; r = queue.shift())
              for (const step of r.steps) await sendReferralStep(url, ids.get(r)!, step, auth(`${state}_INGEST_KEY`));
          }),
        );
      }
      console.log(`  node ${state}: ${fmt(mine.length)} referrals posted and walked through their lifecycles`);
    }),
  );
  const query = `${aggregator}/v1/referrals/summary?from=${from}&to=${to}&providers=${[...nodes.keys()].join(',')}&granularity=month`;
  // Projected when the aggregator has no lag left and each state sees all its own referrals.
  const own = (state: string) =>
    getJson<{ totals: Figures }>(`${aggregator}/v1/referrals/summary?from=${from}&to=${to}&providers=${state}&granularity=month`, asState(state)).then(
      (a) => a.totals.referrals ?? 0,
    );
  // Summaries read the latest release too: once Kafka has nothing left for the aggregator, cut
  // one and look; again if something was still on its way.
  let release: Release;
  for (;;) {
    if (await noLag()) {
      release = await cutRelease('demo: referrals fed');
      const counts = await Promise.all([...nodes.keys()].map(own));
      if (counts.reduce((a, b) => a + b, 0) >= referrals.length) break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `demo: referrals projected ${((Date.now() - started) / 1000).toFixed(1)} s after the first post; release ${release.id} cut at ${release.cutAt}, data until ${release.dataUntil}`,
  );

  const answer = await getJson<{ rows: (Figures & { referredTo: string })[]; totals: Figures }>(`${query}&groupBy=referredTo`);
  const h = (v: number | null) => (v === null ? '–' : v.toFixed(0));
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(0)}%`);
  console.log(`\nRegional referrals ${from} … ${to}, by pathway (hours from referral; stalled: unanswered after 72 h)\n`);
  console.log(
    `${'pathway'.padEnd(18)} ${'referrals'.padStart(9)} ${'open'.padStart(5)} ${'accepted'.padStart(8)} ${'declined'.padStart(8)} ${'closed'.padStart(6)} ${'accept%'.padStart(7)} ${'→accept med/p90'.padStart(16)} ${'→close med/p90'.padStart(15)} ${'stalled'.padStart(7)}`,
  );
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
