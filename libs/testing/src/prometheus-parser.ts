/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: whatever
 * a scraper would reject, or would accept with a different meaning, throws with the line number.
 * Checked: the line grammar (names, label escapes, values, timestamps); HELP and TYPE at most once
 * per family and before its samples; a family's samples contiguous; every sample belonging to a
 * declared family (histograms: `_bucket` with `le`, `_sum`, `_count`; summaries: `quantile`,
 * `_sum`, `_count`); no series twice; counters not negative; histogram buckets in increasing
 * `le`, cumulative, ending with `+Inf` equal to `_count`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

function parseValue(text: string, where: string): number {
  // As Prometheus reads values (Go's ParseFloat): NaN and Inf/Infinity in any case; prom-client
  // writes `Nan` for an empty event-loop histogram's min/max.
  if (/^nan$/i.test(text)) return NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${where}: not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label ${name}: value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined || c === '\n') throw new Error(`${where}: label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[j + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new Error(`${where}: label ${name}: bad escape \\${e}`);
        j += 2;
      } else {
        value += c;
        j += 1;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i += 1;
    else if (text[i] !== '}') throw new Error(`${where}: expected ',' or '}' after label ${name}`);
  }
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, declared: Map<string, PromFamily>): { family: PromFamily; suffix: '' | '_bucket' | '_sum' | '_count' } | null {
  const exact = declared.get(name);
  if (exact && exact.type !== 'histogram') return { family: exact, suffix: '' };
  for (const suffix of ['_bucket', '_sum', '_count'] as const) {
    if (!name.endsWith(suffix)) continue;
    const f = declared.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return { family: f, suffix };
  }
  return null;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, PromFamily>();
  const helped = new Set<string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;
  const enter = (name: string, where: string) => {
    if (current === name) return;
    if (finished.has(name)) throw new Error(`${where}: family ${name} continues after another began`);
    if (current) finished.add(current);
    current = name;
  };
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${JSON.stringify(name)}`);
      enter(name, where);
      const family = families.get(name) ?? { name, type: 'untyped' as MetricType, samples: [] };
      families.set(name, family);
      if (kind === 'HELP') {
        if (helped.has(name)) throw new Error(`${where}: HELP for ${name} twice`);
        helped.add(name);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`${where}: bad escape in HELP`);
        family.help = rest.replace(/\\(\\|n)/g, (_s, e) => (e === 'n' ? '\n' : '\\'));
      } else {
        if (!TYPES.includes(rest as MetricType)) throw new Error(`${where}: unknown type ${JSON.stringify(rest)}`);
        if (family.samples.length > 0 || (family as { typed?: boolean }).typed) throw new Error(`${where}: TYPE for ${name} after its samples or twice`);
        (family as { typed?: boolean }).typed = true;
        family.type = rest as MetricType;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`${where}: not a sample: ${JSON.stringify(line)}`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`${where}: expected '<name>{labels} <value> [timestamp]'`);
    const value = parseValue(parts[1], where);
    if (parts.length === 3 && !/^-?\d+$/.test(parts[2])) throw new Error(`${where}: bad timestamp`);
    let owner = familyOf(name, families);
    if (!owner) {
      // An undeclared name is an untyped family of its own.
      if (families.has(name)) throw new Error(`${where}: ${name} does not belong to its family's type`);
      families.set(name, { name, type: 'untyped', samples: [] });
      owner = { family: families.get(name)!, suffix: '' };
    }
    const { family, suffix } = owner;
    enter(family.name, where);
    if (family.type === 'histogram' && suffix === '_bucket' && !('le' in labels)) throw new Error(`${where}: bucket without le`);
    if (family.type === 'histogram' && suffix !== '_bucket' && 'le' in labels) throw new Error(`${where}: le outside a bucket`);
    if (family.type === 'summary' && suffix === '' && !('quantile' in labels)) throw new Error(`${where}: summary sample without quantile`);
    if (family.type === 'counter' && !(value >= 0)) throw new Error(`${where}: counter ${name} is ${value}`);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`${where}: series ${name}${JSON.stringify(labels)} twice`);
    seen.add(series);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    delete (family as { typed?: boolean }).typed;
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function checkHistogram(family: PromFamily): void {
  const key = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  const groups = new Map<string, { buckets: { le: number; count: number }[]; count?: number; sum?: number }>();
  const group = (labels: Record<string, string>) => groups.get(key(labels)) ?? groups.set(key(labels), { buckets: [] }).get(key(labels))!;
  for (const s of family.samples) {
    if (s.name.endsWith('_bucket')) group(s.labels).buckets.push({ le: parseValue(s.labels.le, `${family.name} le`), count: s.value });
    else if (s.name.endsWith('_count')) group(s.labels).count = s.value;
    else if (s.name.endsWith('_sum')) group(s.labels).sum = s.value;
  }
  for (const [labels, g] of groups) {
    const where = `${family.name}${labels}`;
    if (g.count === undefined || g.sum === undefined) throw new Error(`${where}: histogram without _count or _sum`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i].le > g.buckets[i - 1].le)) throw new Error(`${where}: buckets not in increasing le`);
      if (g.buckets[i].count < g.buckets[i - 1].count) throw new Error(`${where}: buckets not cumulative`);
    }
    const last = g.buckets[g.buckets.length - 1];
    if (!last || last.le !== Infinity) throw new Error(`${where}: no +Inf bucket`);
    if (last.count !== g.count) throw new Error(`${where}: +Inf bucket ${last.count} differs from _count ${g.count}`);
  }
}
