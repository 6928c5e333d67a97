import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';
import { country, label, routeLabel } from './labels.js';
import { fill } from './tables.js';

/**
 * Planning figures against the flow (docs/contingency.md, docs/forecast.md): for each route with a
 * scenario, the recent weeks as published to the caller, the next four weeks' forecast with its
 * 80% range, the planning figure and the capacity per week, and whether the forecast goes over
 * them — all from GET /v1/forecasts as the signed-in caller (so from its own flows answer). The
 * chart draws one route: history, forecast, its 80% and 95% ranges, and both figures as lines.
 */
const RECENT = 8;

const cell = (text, extra = {}) => ({ text, ...extra });

function alertText(s) {
  if (!s.alerts.length) return s.forecast ? cell(t('fcNoAlert')) : cell('');
  return cell(
    s.alerts
      .map((a) => t(a.expected ? 'fcExpected' : 'fcMay', label('scenarioFigures', a.figure), fmt(a.limit), a.expected ? a.expectedWeek : a.week))
      .join('; '),
    { cls: 'sev-high' },
  );
}

export function renderForecast(table, chartEl, note, answer) {
  const series = answer ? answer.series : [];
  note.textContent = !answer ? t('fcNoScenarios') : series.some((s) => s.forecast) ? t('fcNote', answer.level) : t('fcNothing');
  const head = [t('route'), t('state'), t('fcRecent'), t('fcNext'), t('fcModel'), t('fcPlanning'), t('fcCapacity'), t('fcAlert')];
  const rows = series.map((s) => [
    routeLabel(s.route),
    country(s.route.split('>')[1]),
    s.history.length
      ? s.history
          .slice(-4)
          .map((p) => fmt(p.count))
          .join(' · ')
      : cell(s.note ?? '', { cls: 'suppressed' }),
    s.forecast ? s.forecast.weeks.map((w) => `${fmt(w.point)} (${fmt(w.lower80)}–${fmt(w.upper80)})`).join(' · ') : '',
    s.forecast ? label('forecastModels', s.forecast.model) : '',
    cell(s.scenario?.planningFigure === null || !s.scenario ? '–' : fmt(s.scenario.planningFigure), { num: true }),
    cell(s.scenario?.capacityPerWeek === null || !s.scenario ? '–' : fmt(s.scenario.capacityPerWeek), { num: true }),
    alertText(s),
  ]);
  fill(table, head, rows);
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.route = series[i].route;
  const csv = [];
  for (const s of series) {
    for (const p of s.history)
      csv.push([s.route, p.week, 'published', p.count, '', '', '', '', s.scenario?.planningFigure ?? '', s.scenario?.capacityPerWeek ?? '']);
    for (const w of s.forecast?.weeks ?? [])
      csv.push([
        s.route,
        w.week,
        'forecast',
        w.point,
        w.lower80,
        w.upper80,
        w.lower95,
        w.upper95,
        s.scenario?.planningFigure ?? '',
        s.scenario?.capacityPerWeek ?? '',
      ]);
  }
  setTable('forecast', ['route', 'week', 'kind', 'movements', 'lower80', 'upper80', 'lower95', 'upper95', 'planning_figure', 'capacity_per_week'], csv);
  renderChart(chartEl, series.find((s) => s.forecast && s.alerts.length) ?? series.find((s) => s.forecast));
}

function renderChart(el, s) {
  el.classList.toggle('hidden', !s);
  if (!s) return;
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  const recent = s.history.slice(-RECENT);
  const weeks = [...recent.map((p) => p.week), ...s.forecast.weeks.map((w) => w.week)];
  const pad = (values, before) => [...Array(before).fill(null), ...values];
  const n = recent.length;
  const last = recent.length ? recent[n - 1].count : null;
  // The ranges as stacked areas: the lower bound invisible, the width of the range filled.
  const band = (lo, hi, name, opacity) => [
    {
      id: `${name}-base`,
      type: 'line',
      stack: name,
      data: pad(
        s.forecast.weeks.map((w) => w[lo]),
        n,
      ),
      lineStyle: { opacity: 0 },
      symbol: 'none',
      tooltip: { show: false },
    },
    {
      id: name,
      name: t(name),
      type: 'line',
      stack: name,
      data: pad(
        s.forecast.weeks.map((w) => w[hi] - w[lo]),
        n,
      ),
      lineStyle: { opacity: 0 },
      symbol: 'none',
      areaStyle: { opacity },
    },
  ];
  const limit = (value, name) =>
    value === null || value === undefined
      ? []
      : [{ id: name, name: t(name), type: 'line', data: weeks.map(() => value), symbol: 'none', lineStyle: { type: 'dashed' } }];
  chart.setOption(
    {
      animation: false,
      title: { text: routeLabel(s.route), left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v) },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value', name: t('movements') },
      series: [
        ...band('lower95', 'upper95', 'fcRange95', 0.12),
        ...band('lower80', 'upper80', 'fcRange80', 0.25),
        { id: 'published', name: t('fcPublished'), type: 'line', data: [...recent.map((p) => p.count), ...Array(s.forecast.weeks.length).fill(null)] },
        {
          id: 'forecast',
          name: t('fcForecast'),
          type: 'line',
          lineStyle: { type: 'dotted' },
          data: [...Array(Math.max(n - 1, 0)).fill(null), ...(n ? [last] : []), ...s.forecast.weeks.map((w) => w.point)],
        },
        ...limit(s.scenario?.planningFigure, 'fcPlanning'),
        ...limit(s.scenario?.capacityPerWeek, 'fcCapacity'),
      ],
    },
    { replaceMerge: ['series'] },
  );
}
