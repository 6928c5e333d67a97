// Turning /v1/flows answers into what the charts draw. A suppressed cell (count null) is kept
// apart from zero everywhere.

/** Per route over the whole answer: the sum of the cells shown, and how many were suppressed. */
export function routeTotals(answer) {
  const out = new Map();
  for (const row of answer.rows) {
    const e = out.get(row.route) ?? { route: row.route, count: 0, suppressedCells: 0, shownCells: 0 };
    if (row.count === null) e.suppressedCells += 1;
    else {
      e.count += row.count;
      e.shownCells += 1;
    }
    out.set(row.route, e);
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
}

/** The same per border crossing point. */
export function pointTotals(answer) {
  const out = new Map();
  for (const row of answer.rows) {
    const e = out.get(row.borderCrossingPoint) ?? { code: row.borderCrossingPoint, count: 0, suppressedCells: 0, shownCells: 0 };
    if (row.count === null) e.suppressedCells += 1;
    else {
      e.count += row.count;
      e.shownCells += 1;
    }
    out.set(row.borderCrossingPoint, e);
  }
  return out;
}

/** Periods × categories; a missing cell is 0 (nothing crossed), a suppressed one is null. */
export function categorySeries(answer) {
  const periods = [...new Set(answer.rows.map((r) => r.period))].sort();
  const categories = [...new Set(answer.rows.map((r) => r.category))].sort();
  const values = new Map(categories.map((c) => [c, new Array(periods.length).fill(0)]));
  const suppressed = [];
  for (const r of answer.rows) {
    values.get(r.category)[periods.indexOf(r.period)] = r.count;
    if (r.count === null) suppressed.push(`${r.period} ${r.category}`);
  }
  return { periods, categories, values, suppressed };
}

