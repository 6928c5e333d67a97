import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';
import { label } from './labels.js';

/** The answer's rows (one per period and pathway) summed per pathway; the medians of a pathway
 * are shown when it has a single row (medians of periods do not add up). */
export function pathways(answer) {
  const out = new Map();
  for (const r of answer.rows) {
    const e = out.get(r.referredTo) ?? { referredTo: r.referredTo, referrals: 0, accepted: 0, closed: 0, rows: [] };
    e.referrals += r.referrals ?? 0;
    e.accepted += r.accepted ?? 0;
    e.closed += r.byStatus?.closed ?? 0;
    e.rows.push(r);
    out.set(r.referredTo, e);
  }
  return [...out.values()]
    .map((e) => ({
      ...e,
      toAcceptance: e.rows.length === 1 ? e.rows[0].toAcceptance.medianHours : null,
      toClosure: e.rows.length === 1 ? e.rows[0].toClosure.medianHours : null,
    }))
    .sort((a, b) => b.referrals - a.referrals || a.referredTo.localeCompare(b.referredTo));
}

/** Per pathway: referrals made, ever accepted, closed, with the median hours to acceptance and
 * to closure. */
export function renderFunnel(el, answer) {
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  const rows = pathways(answer);
  chart.setOption(
    {
      // Drawn at once: a page read back or captured right after loading shows the final chart.
      animation: false,
      tooltip: {
        trigger: 'axis',
        formatter: (ps) => {
          const r = rows[ps[0].dataIndex];
          return [
            `<b>${label('referralPathways', r.referredTo)}</b>`,
            ...ps.map((p) => `${p.seriesName}: ${fmt(p.value)}`),
            `${t('medianToAcceptance')}: ${r.toAcceptance ?? '–'}`,
            `${t('medianToClosure')}: ${r.toClosure ?? '–'}`,
          ].join('<br>');
        },
      },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: rows.map((r) => label('referralPathways', r.referredTo)), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value' },
      series: [
        { id: 'made', name: t('made'), type: 'bar', data: rows.map((r) => r.referrals) },
        { id: 'accepted', name: t('accepted'), type: 'bar', data: rows.map((r) => r.accepted) },
        { id: 'closed', name: t('closed'), type: 'bar', data: rows.map((r) => r.closed) },
      ],
    },
    { replaceMerge: ['series'] },
  );
  setTable(
    'funnel',
    ['pathway', 'made', 'accepted', 'closed', 'median_hours_to_acceptance', 'median_hours_to_closure'],
    rows.map((r) => [r.referredTo, r.referrals, r.accepted, r.closed, r.toAcceptance, r.toClosure]),
  );
}
