/**
 * The demo's preparedness step (docs/contingency.md, docs/forecast.md): the secretariat records
 * contingency scenarios on two routes, then the forecast of one is printed as the secretariat sees
 * it — from the same weekly figures GET /v1/flows answers it. Self-contained: it needs only the
 * aggregator's URL and the secretariat's key (SECRETARIAT_KEY).
 */

type Week = { week: string; point: number; lower80: number; upper80: number; lower95: number; upper95: number };
type Alert = { figure: string; limit: number; week: string; expected: boolean; expectedWeek: string | null };
type Series = {
  route: string;
  history: { week: string; count: number }[];
  forecast: { model: string; historyWeeks: number; closed: boolean; weeks: Week[] } | null;
  scenario: { planningFigure: number | null; capacityPerWeek: number | null } | null;
  alerts: Alert[];
  note: string | null;
};

const SCENARIOS = [
  {
    target: 'AF>IR>TR',
    planningFigure: 250,
    places: [
      { name: 'Mashhad transit centre', capacityPerDay: 20 },
      { name: 'Zahedan reception site', capacityPerDay: 15 },
    ],
    reason: 'Demo: winter contingency plan, onward movement to Türkiye',
  },
  { target: 'AF>PK>PK', planningFigure: 400, capacityPerDay: 60, reason: 'Demo: arrivals through Torkham under the regional scenario' },
];

export async function showForecast(aggregator: string): Promise<void> {
  const key = process.env.SECRETARIAT_KEY;
  if (!key) throw new Error('SECRETARIAT_KEY is not set: scripts/demo.sh issues the demo keys');
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  console.log('\nContingency scenarios recorded by the secretariat (POST /v1/scenarios; versioned, signed, with why)');
  for (const scenario of SCENARIOS) {
    const res = await fetch(`${aggregator}/v1/scenarios`, { method: 'POST', headers, body: JSON.stringify(scenario) });
    if (res.status !== 201) throw new Error(`POST /v1/scenarios: ${res.status} ${await res.text()}`);
    const s = (await res.json()) as { target: string; version: number; planningFigure: number | null; capacityPerDay: number | null };
    console.log(
      `  ${s.target.padEnd(10)} version ${s.version}: planning figure ${s.planningFigure ?? '–'} a week, reception capacity ${s.capacityPerDay ?? '–'} a day`,
    );
  }
  const route = SCENARIOS[0].target;
  const res = await fetch(`${aggregator}/v1/forecasts?routes=${encodeURIComponent(route)}`, { headers });
  if (!res.ok) throw new Error(`GET /v1/forecasts: ${res.status} ${await res.text()}`);
  const answer = (await res.json()) as { release: { id: number } | null; series: Series[] };
  const series = answer.series[0];
  console.log(
    `\nForecast of ${route} as the secretariat sees it (GET /v1/forecasts, release ${answer.release?.id ?? '–'}; from its weekly GET /v1/flows answer)`,
  );
  if (!series?.forecast) {
    console.log(`  no forecast: ${series?.note ?? 'nothing published'}`);
    return;
  }
  console.log(
    `  last weeks: ${series.history
      .slice(-6)
      .map((p) => `${p.week} ${p.count}`)
      .join(' · ')}`,
  );
  console.log(`  model ${series.forecast.model} on ${series.forecast.historyWeeks} weeks (docs/forecast.md: fewer than 8 weeks give the naive forecast)`);
  if (series.forecast.closed) {
    console.log('  the last week had no movements published (the demo feeds one month, and the release holds data up to yesterday):');
    console.log('  the route is taken as closed — point 0 — while the tops of the ranges say what would come if it reopened');
  }
  for (const w of series.forecast.weeks)
    console.log(`  ${w.week}  ${String(w.point).padStart(5)}   80%: ${w.lower80} … ${w.upper80}   95%: ${w.lower95} … ${w.upper95}`);
  console.log(`  planning figure ${series.scenario?.planningFigure ?? '–'} a week, capacity ${series.scenario?.capacityPerWeek ?? '–'} a week`);
  if (series.alerts.length === 0) console.log('  no week is forecast to go over them');
  for (const a of series.alerts) {
    console.log(
      `  ALERT: ${a.figure === 'capacity' ? 'capacity' : 'planning figure'} ${a.limit} may be exceeded from ${a.week}${a.expected ? ` (expected from ${a.expectedWeek})` : ' (the top of the 80% range)'}; in the feeds as forecast.exceedance`,
    );
  }
}
