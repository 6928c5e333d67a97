import { setTable } from './csv.js';
import { fmt, t } from './i18n.js';
import { country as countryName } from './labels.js';

/** Origin → reporting (crossing) state → intended destination, from the routes shown. */
export function renderSankey(el, routes) {
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  const shown = routes.filter((r) => r.count > 0);
  const links = new Map();
  const add = (source, target, value) => links.set(`${source}|${target}`, { source, target, value: (links.get(`${source}|${target}`)?.value ?? 0) + value });
  for (const r of shown) {
    const [from, via, to] = r.route.split('>');
    add(`o:${from}`, `v:${via}`, r.count);
    add(`v:${via}`, `d:${to}`, r.count);
  }
  const names = new Set([...links.values()].flatMap((l) => [l.source, l.target]));
  const label = (name) => {
    const [kind, code] = name.split(':');
    return `${t(kind === 'o' ? 'origin' : kind === 'v' ? 'via' : 'dest')} ${countryName(code)}`;
  };
  chart.setOption(
    {
      // Drawn at once: a page read back or captured right after loading shows the final chart.
      animation: false,
      tooltip: {
        formatter: (p) => (p.dataType === 'edge' ? `${label(p.data.source)} → ${label(p.data.target)}: ${fmt(p.value)}` : `${label(p.name)}: ${fmt(p.value)}`),
      },
      series: [
        {
          id: 'routes',
          type: 'sankey',
          nodeAlign: 'justify',
          left: 10,
          right: 80,
          data: [...names].sort().map((name) => ({ name, depth: { o: 0, v: 1, d: 2 }[name[0]] })),
          links: [...links.values()],
          label: { formatter: (p) => label(p.name) },
          lineStyle: { color: 'source', opacity: 0.35 },
        },
      ],
    },
    { replaceMerge: ['series'] },
  );
  setTable(
    'sankey',
    ['source', 'target', 'movements'],
    [...links.values()].map((l) => [l.source, l.target, l.value]),
  );
  return chart;
}
