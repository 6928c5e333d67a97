import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';
import { label } from './labels.js';

/** Movements per period, stacked by category; the legend names categories in the page's language
 * (the series keep the codes as ids, the CSV keeps the codes). */
export function renderTimeline(el, series) {
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  chart.setOption(
    {
      // Drawn at once: a page read back or captured right after loading shows the final chart.
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v) },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: series.periods },
      yAxis: { type: 'value', name: t('movements') },
      series: series.categories.map((c) => ({ id: c, name: label('categories', c), type: 'bar', stack: 'all', data: series.values.get(c) })),
    },
    { replaceMerge: ['series'] },
  );
  const rows = [];
  for (const c of series.categories) {
    series.values.get(c).forEach((v, i) => rows.push([series.periods[i], c, v]));
  }
  setTable('timeline', ['period', 'category', 'movements'], rows);
}
