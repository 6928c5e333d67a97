/**
 * The demo's emergency step (docs/emergencies.md), after the feeder: Iran agrees emergency terms in
 * advance on its grant to the secretariat (daily figures by crossing point, no embargo, UNHCR and
 * IOM as further recipients, at most 14 days, activated on their own by a critical surge); the
 * secretariat declares an emergency on AF>IR>TR, where the feeder planted a surge; the terms take
 * effect on the critical alert (or, if the surge is not critical in this run, when Iran activates
 * them at its node); then UNHCR's answer under the emergency is printed beside its ordinary one.
 * Safe to run again: terms already there are left, an emergency in force on the route is reused.
 */
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const nodes = new Map(
  env('DEMO_NODES', 'IR=http://127.0.0.1:3002')
    .split(',')
    .map((pair) => pair.split('=') as [string, string]),
);
const aggregator = env('DEMO_AGGREGATOR', 'http://127.0.0.1:3000');
const ROUTE = 'AF>IR>TR';

function auth(name: string): Record<string, string> {
  const key = process.env[name];
  if (!key) throw new Error(`${name} is not set: scripts/demo.sh issues the demo's keys`);
  return { authorization: `Bearer ${key}` };
}

async function call<T>(method: string, url: string, key: string, body?: object, expect = [200, 201]): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { ...auth(key), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!expect.includes(res.status)) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until<T>(what: string, check: () => Promise<T | null>, seconds = 30): Promise<T | null> {
  for (let i = 0; i < seconds * 4; i++) {
    const found = await check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`  (still waiting for ${what} after ${seconds} s)`);
  return null;
}

type Agreement = { agreementId: string; status: string; terms: { recipient: string; emergency?: unknown } };
type Emergency = {
  emergencyId: string;
  status: string;
  routes: string[];
  terms: { provider: string; status: string; activatedBy: string | null; alertId: string | null }[];
};
type Answer = {
  granularity: string;
  rows: { period: string; route: string; count: number }[];
  disclosure: { agreements: { provider: string; minCellSize: number; emergency?: unknown }[]; notes: string[] };
};

const lastMonth = () => {
  const now = new Date();
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { from: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)), to: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)) };
};

async function main() {
  const node = nodes.get('IR');
  if (!node) return console.log('demo emergency: Iran is not among the demo states; skipped');
  console.log('\ndemo: an emergency (docs/emergencies.md)');

  // 1. Iran's emergency terms, agreed in advance on its grant to the secretariat.
  const { agreements } = await call<{ agreements: Agreement[] }>('GET', `${node}/v1/agreements`, 'IR_ADMIN_KEY');
  const grant = agreements.find((a) => a.status === 'active' && a.terms.recipient === 'secretariat');
  if (!grant) throw new Error("Iran's grant to the secretariat is missing: run the feeder first");
  if (!grant.terms.emergency) {
    const emergency = {
      minTimeGranularity: 'day',
      minGeoGranularity: 'border_crossing_point',
      embargoDays: 0,
      dimensions: [],
      recipients: ['org:UNHCR', 'org:IOM'],
      maxDays: 14,
      activation: 'on-critical-surge',
    };
    await call('PATCH', `${node}/v1/agreements/${grant.agreementId}`, 'IR_ADMIN_KEY', { emergency });
    console.log(
      '  node IR: emergency terms added to its grant to the secretariat: daily, by crossing point, no embargo, UNHCR and IOM too, 14 days at most, on a critical surge',
    );
  }
  await until('Iran’s emergency terms at the aggregator', async () => {
    // The aggregator's registry lists each agreement with its terms flat (GET /v1/agreements).
    const seen = await call<{ agreements: { agreementId: string; emergency?: unknown }[] }>('GET', `${aggregator}/v1/agreements`, 'IR_READER_KEY');
    return seen.agreements.some((a) => a.agreementId === grant.agreementId && a.emergency) || null;
  });

  // 2. The secretariat declares an emergency on the route of the surge (or finds the one in force).
  const { emergencies } = await call<{ emergencies: Emergency[] }>('GET', `${aggregator}/v1/emergencies`, 'SECRETARIAT_KEY');
  let declared = emergencies.find((e) => e.status === 'in-force' && e.routes.includes(ROUTE));
  if (!declared) {
    declared = await call<Emergency>('POST', `${aggregator}/v1/emergencies`, 'SECRETARIAT_KEY', {
      routes: [ROUTE],
      days: 14,
      reason: 'Mass arrivals on AF>IR>TR (demo)',
    });
    console.log(`  secretariat: emergency ${declared.emergencyId} declared on ${ROUTE} for 14 days`);
  }
  const id = declared.emergencyId;

  // 3. Its activation: on the critical alert, or else at Iran's node.
  const inEffect = async () => {
    const e = await call<Emergency>('GET', `${aggregator}/v1/emergencies/${id}`, 'IR_READER_KEY');
    return e.terms.find((t) => t.status === 'in-effect') ?? null;
  };
  let terms = await until('an automatic activation', inEffect, 10);
  if (!terms) {
    await call(
      'POST',
      `${node}/v1/agreements/${grant.agreementId}/emergency-activations`,
      'IR_ADMIN_KEY',
      { emergencyId: id, reason: 'Emergency declared on our route (demo)' },
      [201, 409],
    );
    console.log('  node IR: emergency terms activated at the node');
    terms = await until('the activation at the aggregator', inEffect);
  }
  if (terms)
    console.log(
      `  aggregator: Iran's emergency terms in effect, activated ${terms.activatedBy === 'critical-surge' ? `automatically by critical alert ${terms.alertId}` : 'at its node'}`,
    );

  // 4. UNHCR's answer: ordinary, then under the emergency (its own k = 10 kept).
  const { from, to } = lastMonth();
  const base = `${aggregator}/v1/flows?from=${from}&to=${to}&groupBy=route&providers=IR&routes=${encodeURIComponent(ROUTE)}`;
  const ordinary = await call<Answer>('GET', `${base}&granularity=day`, 'UNHCR_READER_KEY');
  const under = await call<Answer>('GET', `${base}&granularity=day&emergency=${id}`, 'UNHCR_READER_KEY');
  console.log(`  UNHCR, ordinary:        ${ordinary.rows.length} ${ordinary.granularity} figure(s) for ${ROUTE}`);
  console.log(
    `  UNHCR, under emergency: ${under.rows.length} ${under.granularity} figures for ${ROUTE}, k = ${under.disclosure.agreements[0]?.minCellSize ?? '–'}; ${under.disclosure.notes[under.disclosure.notes.length - 1]}`,
  );
  console.log(
    `  try: curl -H "Authorization: Bearer $UNHCR_READER_KEY" '${base}&granularity=day&emergency=${id}'; GET /v1/emergencies/${id}/shared with IR_READER_KEY lists what was shared`,
  );
}

main().catch((e) => {
  console.error(`demo emergency step failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
