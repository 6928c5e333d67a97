import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';

/** Per pathway: referrals made, ever accepted, closed, with the median hours to acceptance and
 * to closure; a suppressed row is shown as suppressed, with no bars. */
export function renderFunnel(el, answer) {
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  const rows = [...answer.rows].sort((a, b) => (b.referrals ?? -1) - (a.referrals ?? -1) || a.referredTo.localeCompare(b.referredTo));
  const pathways = rows.map((r) => r.referredTo);
  const pick = (f) => rows.map((r) => (r.referrals === null ? null : f(r)));
  chart.setOption(
    {
      // Drawn at once: a page read back or captured right after loading shows the final chart.
      animation: false,
      tooltip: {
        trigger: 'axis',
        formatter: (ps) => {
          const r = rows[ps[0].dataIndex];
          if (r.referrals === null) return `${r.referredTo}: ${t('suppressed')}`;
          return [
            `<b>${r.referredTo}</b>`,
            ...ps.map((p) => `${p.seriesName}: ${fmt(p.value)}`),
            `${t('medianToAcceptance')}: ${r.toAcceptance.medianHours ?? '–'}`,
            `${t('medianToClosure')}: ${r.toClosure.medianHours ?? '–'}`,
          ].join('<br>');
        },
      },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: pathways, axisLabel: { rotate: 30 } },
      yAxis: { type: 'value' },
      series: [
        { id: 'made', name: t('made'), type: 'bar', data: pick((r) => r.referrals) },
        { id: 'accepted', name: t('accepted'), type: 'bar', data: pick((r) => r.accepted) },
        { id: 'closed', name: t('closed'), type: 'bar', data: pick((r) => r.byStatus.closed) },
      ],
    },
    { replaceMerge: ['series'] },
  );
  setTable(
    'funnel',
    ['pathway', 'made', 'accepted', 'closed', 'median_hours_to_acceptance', 'median_hours_to_closure', 'suppressed'],
    rows.map((r) =>
      r.referrals === null
        ? [r.referredTo, null, null, null, null, null, 'suppressed']
        : [r.referredTo, r.referrals, r.accepted, r.byStatus.closed, r.toAcceptance.medianHours, r.toClosure.medianHours, ''],
    ),
  );
}
