import { setTable } from './csv.js';
import { fmt } from './i18n.js';
import { label, routeLabel } from './labels.js';

// Where a route line passes through each country: a point well inside it (degrees lon, lat).
const ANCHORS = {
  AF: [66.0, 33.9],
  IR: [54.0, 32.5],
  PK: [69.5, 30.0],
  TR: [35.0, 39.0],
  TM: [59.0, 39.0],
  KZ: [67.0, 48.0],
  KG: [74.5, 41.4],
  TJ: [71.0, 38.7],
  UZ: [64.0, 41.5],
  CN: [84.0, 40.5],
  AZ: [47.7, 40.3],
  GE: [43.5, 42.2],
  AM: [44.9, 40.2],
  IQ: [43.7, 33.2],
  RU: [60.0, 53.5],
  IN: [76.0, 29.0],
  SY: [38.5, 35.0],
};

let registered = false;

export async function ensureRegionMap() {
  if (registered) return;
  const geo = await (await fetch('region.geo.json')).json();
  window.echarts.registerMap('region', geo);
  registered = true;
}

/**
 * The region's outline, the crossing points (sized by movements where the caller may see them by
 * crossing point) and one line per route through its three countries, width by movements.
 */
export function renderMap(el, { routes, points, pointsAllowed, crossingPoints }) {
  const chart = window.echarts.getInstanceByDom(el) ?? window.echarts.init(el);
  const max = Math.max(1, ...routes.map((r) => r.count));
  const lines = routes
    .map((r) => {
      const coords = r.route
        .split('>')
        .map((c) => ANCHORS[c])
        .filter(Boolean);
      return { name: r.route, value: r.count, coords, lineStyle: { width: 1 + 11 * Math.sqrt(Math.max(0, r.count) / max), opacity: 0.75 } };
    })
    .filter((l) => l.coords.length >= 2);
  const pointMax = Math.max(1, ...points.values());
  const scatter = crossingPoints
    .filter((p) => p.lat !== null && p.lon !== null)
    .map((p) => {
      const v = points.get(p.code);
      return { name: p.code, label: label('borderCrossingPoints', p.code), value: [p.lon, p.lat, pointsAllowed && v !== undefined ? v : null] };
    });
  chart.setOption(
    {
      // Drawn at once: a page read back or captured right after loading shows the final chart.
      animation: false,
      tooltip: {
        formatter: (p) => {
          if (p.seriesType === 'lines') return `${routeLabel(p.name)}: ${fmt(p.value)}`;
          if (p.seriesType === 'scatter') return `${p.data.label} (${p.name})${p.value[2] === null ? '' : `: ${fmt(p.value[2])}`}`;
          return p.name;
        },
      },
      geo: {
        map: 'region',
        roam: true,
        nameProperty: 'code',
        center: [60, 40],
        zoom: 1.25,
        itemStyle: { areaColor: '#e8edf2', borderColor: '#8a9bb0' },
        emphasis: { itemStyle: { areaColor: '#d5dfe9' }, label: { show: false } },
      },
      series: [
        { id: 'routes', type: 'lines', coordinateSystem: 'geo', polyline: true, zlevel: 1, data: lines, lineStyle: { color: '#1f6fb2', curveness: 0 } },
        {
          id: 'points',
          type: 'scatter',
          coordinateSystem: 'geo',
          zlevel: 2,
          data: scatter,
          symbolSize: (v) => (v[2] > 0 ? 5 + 18 * Math.sqrt(v[2] / pointMax) : 5),
          itemStyle: { color: '#b3261e' },
        },
      ],
    },
    { replaceMerge: ['series'] },
  );
  setTable(
    'map',
    ['kind', 'code', 'movements'],
    [
      ...routes.map((r) => ['route', r.route, r.count]),
      ...(pointsAllowed ? [...points.entries()].map(([code, count]) => ['border_crossing_point', code, count]) : []),
    ],
  );
  return chart;
}
