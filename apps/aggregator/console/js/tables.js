import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';

function fill(table, headers, rows) {
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
  if (a.scope === 'borderCrossingPoint') return `${t('crossingPoint')} ${a.borderCrossingPoint}`;
  return `${t('route')} ${a.route}${a.category ? ` · ${a.category}` : ''}`;
};

export function renderAlerts(table, empty, alerts) {
  const order = { critical: 0, high: 1, elevated: 2 };
  const sorted = [...alerts].sort((a, b) => order[a.severity] - order[b.severity] || b.recent - a.recent);
  fill(
    table,
    [t('severity'), t('where'), t('state'), t('recentWeek'), t('usualWeek'), t('ratio'), t('window')],
    sorted.map((a) => [
      { text: t(a.severity), cls: `sev-${a.severity}` },
      where(a),
      a.provider,
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
    ['alert_id', 'severity', 'provider', 'scope', 'route', 'border_crossing_point', 'category', 'recent', 'expected_weekly', 'ratio', 'window_from', 'window_to'],
    sorted.map((a) => [a.alertId, a.severity, a.provider, a.scope, a.route, a.borderCrossingPoint, a.category, a.recent, a.expectedWeekly, a.ratio, a.window.from, a.window.to]),
  );
}

export function renderNodes(table, note, nodes) {
  if (!nodes) {
    fill(table, [], []);
    note.textContent = t('nodesForbidden');
    setTable('nodes', ['provider', 'events', 'last_event_recorded_at', 'delay_ms'], []);
    return;
  }
  const lag = t('lag', nodes.lag.total === null ? '–' : fmt(nodes.lag.total));
  // The secretariat gets coarse health only (no volume): the hour of the last event and whether it is recent.
  if (nodes.providers.some((p) => p.eventsReceived === undefined)) {
    const yesNo = (b) => t(b ? 'yes' : 'no');
    fill(
      table,
      [t('state'), t('pooled'), t('lastEventHour'), t('healthy')],
      nodes.providers.map((p) => [p.provider, yesNo(p.pooled), p.lastEventReceivedAt, yesNo(p.healthy)]),
    );
    note.textContent = `${t('nodesCoarse')} ${lag}`;
    setTable(
      'nodes',
      ['provider', 'pooled', 'last_event_received_hour', 'healthy'],
      nodes.providers.map((p) => [p.provider, p.pooled, p.lastEventReceivedAt, p.healthy]),
    );
    return;
  }
  fill(
    table,
    [t('state'), t('events'), t('lastEvent'), t('delay')],
    nodes.providers.map((p) => [p.provider, { text: fmt(p.eventsReceived), num: true }, p.lastEventRecordedAt, { text: `${(p.lastEventDelayMs / 1000).toFixed(1)} s`, num: true }]),
  );
  note.textContent = lag;
  setTable(
    'nodes',
    ['provider', 'events', 'last_event_recorded_at', 'delay_ms'],
    nodes.providers.map((p) => [p.provider, p.eventsReceived, p.lastEventRecordedAt, p.lastEventDelayMs]),
  );
}
