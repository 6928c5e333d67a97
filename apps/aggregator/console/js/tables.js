import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';
import { country, label, routeLabel } from './labels.js';

/** A table's header and rows; a cell is text, or {text, cls, num} for a styled (or numeric) one. */
export function fill(table, headers, rows) {
  const head = document.createElement('tr');
  for (const h of headers) {
    const th = document.createElement('th');
    th.textContent = h;
    head.appendChild(th);
  }
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        if (c && typeof c === 'object') {
          if (c.num) td.className = 'num';
          const span = document.createElement('span');
          span.textContent = c.text;
          if (c.cls) span.className = c.cls;
          td.appendChild(span);
        } else td.textContent = c ?? '';
        tr.appendChild(td);
      }
      return tr;
    }),
  );
}

const where = (a) => {
  if (a.scope === 'borderCrossingPoint') return `${t('crossingPoint')} ${label('borderCrossingPoints', a.borderCrossingPoint)}`;
  return `${t('route')} ${routeLabel(a.route)}${a.category ? ` · ${label('categories', a.category)}` : ''}`;
};

export function renderAlerts(table, empty, alerts) {
  const order = { critical: 0, high: 1, elevated: 2 };
  const sorted = [...alerts].sort((a, b) => order[a.severity] - order[b.severity] || b.recent - a.recent);
  fill(
    table,
    [t('severity'), t('where'), t('state'), t('recentWeek'), t('usualWeek'), t('ratio'), t('window')],
    sorted.map((a) => [
      { text: label('alertSeverities', a.severity), cls: `sev-${a.severity}` },
      where(a),
      country(a.provider),
      { text: fmt(a.recent), num: true },
      a.expectedWeekly === null ? { text: t('withheld'), cls: 'suppressed' } : { text: fmt(a.expectedWeekly), num: true },
      a.ratio === null ? { text: t('withheld'), cls: 'suppressed' } : { text: `×${a.ratio.toFixed(2)}`, num: true },
      `${a.window.from} … ${a.window.to}`,
    ]),
  );
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.alertId = sorted[i].alertId;
  empty.classList.toggle('hidden', sorted.length > 0);
  setTable(
    'alerts',
    [
      'alert_id',
      'severity',
      'provider',
      'scope',
      'route',
      'border_crossing_point',
      'category',
      'recent',
      'expected_weekly',
      'ratio',
      'window_from',
      'window_to',
    ],
    sorted.map((a) => [
      a.alertId,
      a.severity,
      a.provider,
      a.scope,
      a.route,
      a.borderCrossingPoint,
      a.category,
      a.recent,
      a.expectedWeekly,
      a.ratio,
      a.window.from,
      a.window.to,
    ]),
  );
}

/** Node health as the caller may see it: in full (events, exact times, delay) for a state's own
 * node, or coarse (last event's hour, healthy or not, no counts) for the secretariat. A column
 * appears only when the answer carries it. */
export function renderNodes(table, note, nodes) {
  if (!nodes) {
    fill(table, [], []);
    note.textContent = t('nodesForbidden');
    setTable('nodes', ['provider'], []);
    return;
  }
  const ps = nodes.providers;
  const has = (f) => ps.some((p) => p[f] !== undefined && p[f] !== null);
  const columns = [
    { head: t('state'), csv: 'provider', cell: (p) => country(p.provider), raw: (p) => p.provider },
    has('eventsReceived') && { head: t('events'), csv: 'events', cell: (p) => ({ text: fmt(p.eventsReceived), num: true }), raw: (p) => p.eventsReceived },
    has('lastEventRecordedAt') && {
      head: t('lastEvent'),
      csv: 'last_event_recorded_at',
      cell: (p) => p.lastEventRecordedAt,
      raw: (p) => p.lastEventRecordedAt,
    },
    !has('lastEventRecordedAt') &&
      has('lastEventReceivedAt') && {
        head: t('lastReceived'),
        csv: 'last_event_received_at',
        cell: (p) => p.lastEventReceivedAt,
        raw: (p) => p.lastEventReceivedAt,
      },
    has('lastEventDelayMs') && {
      head: t('delay'),
      csv: 'delay_ms',
      cell: (p) => ({ text: p.lastEventDelayMs === undefined ? '' : `${(p.lastEventDelayMs / 1000).toFixed(1)} s`, num: true }),
      raw: (p) => p.lastEventDelayMs,
    },
    has('healthy') && {
      head: t('health'),
      csv: 'healthy',
      cell: (p) =>
        p.healthy === undefined ? '' : { text: label('nodeHealthStatuses', p.healthy ? 'healthy' : 'unhealthy'), cls: p.healthy ? '' : 'sev-high' },
      raw: (p) => p.healthy,
    },
  ].filter(Boolean);
  fill(
    table,
    columns.map((c) => c.head),
    ps.map((p) => columns.map((c) => c.cell(p))),
  );
  const lag = nodes.lag?.total;
  note.textContent = t('lag', lag === null || lag === undefined ? '–' : fmt(lag));
  setTable(
    'nodes',
    columns.map((c) => c.csv),
    ps.map((p) => columns.map((c) => c.raw(p))),
  );
}

/** Movements per category over the period shown (the sum of its published rows, as the map sums
 * routes), categories by their labels. The timeline's CSV holds the same figures by period. */
export function renderFlows(table, series) {
  const totals = series.categories.map((c) => ({ c, n: series.values.get(c).reduce((a, b) => a + b, 0) })).sort((a, b) => b.n - a.n || a.c.localeCompare(b.c));
  fill(
    table,
    [t('category'), t('movementsHead')],
    totals.map(({ c, n }) => [label('categories', c), { text: fmt(n), num: true }]),
  );
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.category = totals[i].c;
}
