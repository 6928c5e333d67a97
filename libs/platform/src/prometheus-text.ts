/**
 * The Prometheus text exposition format (version 0.0.4), for the few gauges and counters the
 * services expose at GET /metrics. A dozen lines instead of a dependency for now; `prom-client`
 * (with its process and event-loop metrics) can replace it without changing a metric name.
 */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels?: Record<string, string | number>; value: number | null }[];
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function renderPrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      if (s.value === null || Number.isNaN(s.value)) continue;
      const labels = Object.entries(s.labels ?? {});
      const rendered = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')}}` : '';
      lines.push(`${f.name}${rendered} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
