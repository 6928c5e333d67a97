// Turning /v1/flows answers into what the charts draw. Every figure is published as it is (the
// cell-key method adjusts protected states' figures); a row that is not listed counts as 0.

/** Per route over the whole answer: the sum of its rows. */
export function routeTotals(answer) {
  const out = new Map();
  for (const row of answer.rows) out.set(row.route, (out.get(row.route) ?? 0) + row.count);
  return [...out.entries()].map(([route, count]) => ({ route, count })).sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
}

/** The same per border crossing point: code → movements. */
export function pointTotals(answer) {
  const out = new Map();
  for (const row of answer.rows) out.set(row.borderCrossingPoint, (out.get(row.borderCrossingPoint) ?? 0) + row.count);
  return out;
}

/** Periods × categories; a row not listed is 0. */
export function categorySeries(answer) {
  const periods = [...new Set(answer.rows.map((r) => r.period))].sort();
  const categories = [...new Set(answer.rows.map((r) => r.category))].sort();
  const values = new Map(categories.map((c) => [c, new Array(periods.length).fill(0)]));
  for (const r of answer.rows) values.get(r.category)[periods.indexOf(r.period)] = r.count;
  return { periods, categories, values };
}
